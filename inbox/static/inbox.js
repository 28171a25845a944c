// Live updates (server-sent events) and the reply picker. The pages work without this script too.
(function () {
  const caseView = document.querySelector(".case[data-case]");
  const queueView = document.querySelector("[data-live=cases]");
  if (!caseView && !queueView) return;

  const caseId = caseView ? caseView.dataset.case : "";
  const source = new EventSource("/events" + (caseId ? "?case=" + caseId : ""));
  let reloading = null;

  source.addEventListener("cases", () => {
    if (queueView && !reloading) reloading = setTimeout(() => location.reload(), 300);
  });
  source.addEventListener("messages", () => { if (caseView) refreshHistory(); });

  async function refreshHistory() {
    const response = await fetch(`/cases/${caseId}/messages`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const history = document.getElementById("history");
    history.replaceChildren(...data.messages.map(render));
    history.scrollTop = history.scrollHeight;
  }

  function render(message) {
    const div = document.createElement("div");
    div.className = "msg " + message.from + (message.staff ? " staff" : "");
    if (message.text) {
      const text = document.createElement("div");
      text.className = "text";
      text.dir = "auto";
      text.textContent = message.text;
      div.appendChild(text);
    }
    if (message.attachment) {
      const file = document.createElement("div");
      file.className = "file";
      const link = document.createElement("a");
      link.href = "/attachments/" + message.attachment.id;
      link.target = "_blank";
      link.textContent = message.attachment.kind;
      file.append("attachment: ", link);
      div.appendChild(file);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = message.at + (message.staff ? " · " + message.staff + " · " + (message.delivery || "no channel status") : "");
    div.appendChild(meta);
    return div;
  }

  for (const button of document.querySelectorAll("button.use")) {
    button.addEventListener("click", () => {
      const card = button.closest(".canned");
      document.getElementById("reply-text").value = card.querySelector(".send").textContent;
      document.getElementById("reply-topic").value = button.dataset.topic;
      document.getElementById("reply-text").focus();
    });
  }
  const history = document.getElementById("history");
  if (history) history.scrollTop = history.scrollHeight;
})();

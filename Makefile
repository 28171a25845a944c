# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
BIN := .venv/bin
export PYTHONPATH := $(CURDIR)

.PHONY: run test install train bench eval content lock clean

run: install            ## install if needed, train if the data changed, start every process
	@$(BIN)/python -m scripts.run

test: install           ## lint, type check, validate data, train, conversation tests, unit and end-to-end tests
	@scripts/test.sh

install:
	@scripts/install.sh

train: install
	@$(BIN)/python -m scripts.train

bench: install train    ## latency, throughput and memory against a stock `rasa init` assistant
	@$(BIN)/python -m bench.run

lock:                   ## re-freeze requirements.lock after changing requirements.in
	@$(BIN)/pip install -r requirements.in && \
	 (echo "# Frozen from requirements.in with Python 3.10 (make lock). Every install uses it as constraints."; \
	  $(BIN)/pip freeze --all | grep -v -E "^(pip|setuptools|wheel)==") > requirements.lock

clean:
	rm -rf models/*.tar.gz models/*.fingerprint .run results .mypy_cache .ruff_cache .pytest_cache

# The baseline (Rasa's default pipeline) trains ~20 min the first time, then is reused until the data changes.
eval: install           ## per-language intent and language-ID accuracy on the held-out tests (docs/evaluation.md)
	@$(BIN)/python -m scripts.compare_pipelines --only rasa_default --baseline-epochs 5
	@$(BIN)/python -m scripts.evaluate --write docs/evaluation.md

content: install        ## validate every answer and print the translation-status table
	@$(BIN)/python -m scripts.content validate

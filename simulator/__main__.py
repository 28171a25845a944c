import sys

from simulator.app import main

sys.exit(main())

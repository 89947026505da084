import sys

from qualepref.cli import main

sys.exit(main())

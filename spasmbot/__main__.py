from spasmbot.cli import main

raise SystemExit(main())

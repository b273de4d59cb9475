from svclint.cli import main

raise SystemExit(main())

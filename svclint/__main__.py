from svclint.cli import entry

entry()

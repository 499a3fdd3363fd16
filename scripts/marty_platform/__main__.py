from marty_platform.cli import run

run()

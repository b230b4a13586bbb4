from score_cli.cli import run

run()

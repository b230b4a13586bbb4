from score_cli.cli import app

app(prog_name="score")

from ioc.cli.main import app

app(prog_name="ioc")

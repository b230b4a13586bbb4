"""`score intake`: requests from the website, one typed in or a whole export."""


from typing import Annotated, Optional

import typer

from score_cli.cli.output import FormatOption, choose_format, explicit_format, render_object
from score_cli.cli.safe_text import line, shorten_quoted

app = typer.Typer(no_args_is_help=True)


@app.command("submit")
def submit(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The client's name.")],
    email: Annotated[list[str], typer.Option("--email", help="The client's e-mail; repeat for several.")],
    chapter: Annotated[str, typer.Option("--chapter", help="The chapter asked for (code).")],
    question: Annotated[str, typer.Option("--question", help="What the client asks.")],
    phone: Annotated[Optional[str], typer.Option("--phone", help="Phone number.")] = None,
    business: Annotated[Optional[str], typer.Option("--business", help="Business name.")] = None,
    zip_code: Annotated[Optional[str], typer.Option("--zip", help="ZIP code.")] = None,
    area: Annotated[Optional[str], typer.Option("--area", help="Mentoring area.")] = None,
    business_type: Annotated[Optional[str], typer.Option("--business-type", help="Type of business.")] = None,
    existing_business: Annotated[bool, typer.Option("--existing-business", help="The business exists already (not a start-up).")] = False,
    origin: Annotated[Optional[str], typer.Option("--origin", help="The page the request came from.")] = None,
    direct_to: Annotated[Optional[str], typer.Option("--direct-to", help="E-mail of the mentor the client picked.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Record a new request (as the website would)."""
    from score_cli.services.requests.intake import NewRequest, submit_one

    new = NewRequest(name=name, emails=email, chapter=chapter, question=question, phone=phone, business=business,
                     zip=zip_code, area=area, business_type=business_type, existing_business=existing_business,
                     origin=origin, direct_to=direct_to)
    request_id, outcome = submit_one(ctx.obj.store(), new)
    if explicit_format(ctx, fmt):
        from score_cli.services.requests.show import describe_by_id

        render_object(describe_by_id(ctx.obj.store(), request_id), choose_format(ctx, fmt))
    else:
        typer.echo(f"MRE-{request_id} {outcome}")


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV or JSON-lines file from the website export, or - for stdin.")],
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid rows and report the rest.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; write nothing.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Import the website export. Nothing is kept unless every row is valid.

    CSV header: name,email,chapter,question[,phone,business,zip,area,business_type,
    existing_business,origin,direct_to,submitted_at]; several e-mails separated by `;`.
    JSON lines: one object per line with the same keys (`email` may be a list).
    """
    from score_cli.cli.files import read_lines
    from score_cli.cli.progress import progress_bar
    from score_cli.services.requests.intake_import import import_requests

    content = read_lines(file)
    with progress_bar("importing requests") as advance:
        result = import_requests(ctx.obj.store(), content, skip_invalid=skip_invalid, dry_run=dry_run,
                                 on_progress=advance)
    if explicit_format(ctx, fmt):
        render_object(result.as_dict(), choose_format(ctx, fmt))
    else:
        for problem in result.rejected:
            typer.echo(line(shorten_quoted(f"line {problem['line']}: {problem['reason']}")), err=True)
        if result.rejected and not skip_invalid:
            typer.echo(f"nothing imported: {len(result.rejected)} row(s) rejected (fix them, or --skip-invalid)",
                       err=True)
        else:
            verb = "would import" if dry_run else "imported"
            skipped = (f", skipped {result.already_present} already imported" if result.already_present else "")
            typer.echo(f"{verb} {result.imported} request(s){skipped}, rejected {len(result.rejected)}")
    if result.rejected and not skip_invalid:
        raise typer.Exit(2)

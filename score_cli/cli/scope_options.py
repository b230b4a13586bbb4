"""The scope options every listing and report takes (SPEC §8)."""


from typing import Annotated, Optional

import typer

ChapterOpt = Annotated[Optional[str], typer.Option("--chapter", help="One chapter (code).")]
DistrictOpt = Annotated[Optional[str], typer.Option("--district", help="Every chapter of a district.")]
RegionOpt = Annotated[Optional[str], typer.Option("--region", help="Every chapter of a region.")]
NationalOpt = Annotated[bool, typer.Option("--national", help="The whole organisation.")]
MineOpt = Annotated[bool, typer.Option("--mine", help="Only what is yours.")]


def scope_from(chapter: str | None, district: str | None, region: str | None,
               national: bool, mine: bool):
    from score_cli.services.organisation.scope import choose

    return choose(chapter=chapter, district=district, region=region, national=national, mine=mine)

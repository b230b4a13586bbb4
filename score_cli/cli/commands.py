"""The commands of `score`: where each is defined, and the line `score --help` shows for it.

The root group loads a command's module only when that command runs (or its help is asked
for), so a run reads the signatures of one command, not of fifty.
"""

from importlib import import_module

import typer

# name: (module in score_cli.cli, the Typer sub-app or the function, summary). A function's
# summary is the first line of its help (a test holds them equal); a group's is its help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("demo", "demo", "Build the demo store and print a tour of commands to try."),
    "show": ("cases", "show", "Everything about one request."),
    "note": ("cases", "note", "Add a note to a request."),
    "assign": ("cases", "assign", "Assign a request to a mentor, or --suggest one."),
    "reassign": ("cases", "reassign", "Give a request to another mentor now."),
    "transfer-chapter": ("cases", "transfer_chapter", "Move a request to another chapter's queue."),
    "withdraw": ("cases", "withdraw", "Withdraw a request, or a plan of them with --bulk."),
    "accept": ("mentor", "accept", "Accept a request assigned to you."),
    "decline": ("mentor", "decline", "Decline a request assigned to you."),
    "return": ("mentor", "return_", "Give an accepted request back to the queue."),
    "contact": ("mentor", "contact", "Log an attempt to contact the client."),
    "status": ("mentor", "status", "Close a request with its final status."),
    "pause": ("mentor", "pause", "Pause a mentor, or end the pause with --clear."),
    "refer": ("referral", "refer", "Refer a client to another certified mentor."),
    "sweep": ("sweep", "sweep", "Nightly work: timeouts, reminders, pause ends."),
    "db": ("db", "app", "Create, upgrade, back up and check the store."),
    "chapter": ("directory", "chapter_app", "Regions, districts and chapters."),
    "volunteer": ("directory", "volunteer_app", "The volunteer directory."),
    "intake": ("intake", "app", "New requests: typed in, or the website's export."),
    "queue": ("queue", "app", "The Client Intake Queue."),
    "session": ("mentor", "session_app", "Mentoring sessions: add, edit, list."),
    "mentor": ("mentor", "mentor_app", "A mentor's request settings."),
    "mentors": ("mentor", "mentors_app", "Available and paused mentors."),
    "referral": ("referral", "referral_app", "Answer a referral: accept or decline."),
    "notify": ("notify", "notify_app", "The outbox: list, deliver, remind waiting clients."),
    "duplicates": ("duplicates", "duplicates_app", "Requests that are probably the same client."),
    "client": ("duplicates", "client_app", "Client records."),
    "report": ("report", "app", "Reports: clients not yet served, metrics, mentors."),
    "triage": ("triage", "triage", "Work the intake queue on screen, key by key."),
}


def load_command(name: str):
    """The Click command for `name`, built from its module by Typer's public `get_command`."""
    module, attribute, summary = COMMANDS[name]
    target = getattr(import_module(f"score_cli.cli.{module}"), attribute)
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)  # plain help, as the root's
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, help=summary)
    else:
        holder.command(name, help=None if target.__doc__ else summary)(target)
        holder.callback()(lambda: None)  # a group of one, so the command keeps its name
    return typer.main.get_command(holder).commands[name]

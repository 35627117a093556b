"""One module per ``hbtui`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``."""

"""`python -m generator <command>`: one CLI for every stage after the calculators.

Each stage registers its own commands; a stage whose dependencies are not
installed (the bench needs torch, the site needs mkdocs) says which extra to
install instead of failing on import.
"""

import argparse
import importlib
import sys

# (module, extra that installs its dependencies)
STAGES = (("generator.bench.cli", "bench"), ("generator.site.cli", "site"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator")
    commands = parser.add_subparsers(dest="command", required=True)
    for module_name, extra in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith("generator"):
                continue  # the stage is not built yet
            stub = commands.add_parser(module_name.split(".")[1], help=f"needs: pip install -e '.[{extra}]'")
            stub.add_argument("ignored", nargs=argparse.REMAINDER)
            stub.set_defaults(run=lambda args, e=extra, m=error.name: _missing(e, m))
            continue
        module.register(commands)
    args = parser.parse_args(argv)
    return args.run(args)


def _missing(extra, module):
    print(f"error: this command needs {module}; install it with: .venv/bin/pip install -e '.[{extra}]'",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

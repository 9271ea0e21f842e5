"""calculators/ must run where only the standard library exists (Pyodide's core)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "calculators"


def test_every_import_is_standard_library_or_relative():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names, f"{path.name} imports {name}"


def test_the_package_runs_with_site_packages_switched_off():
    # -S: no site-packages, -I: no user site or environment; only the standard library is importable.
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "import calculators, calculators.cli\n"
        "for mod in ('numpy', 'torch', 'pytest', 'hypothesis'):\n"
        "    assert mod not in sys.modules, mod\n"
        "a = calculators.preset_architecture('deepseek-v3')\n"
        "print(calculators.weight_bytes(a, calculators.weight_format('nf4')).total_bytes)\n"
        "sys.exit(calculators.cli.main(['fit', '--model', 'llama-3.1-8b', '--json']))\n" % str(ROOT)
    )
    result = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert '"fits": true' in result.stdout

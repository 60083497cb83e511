from __future__ import annotations

from greengate.cli.root import main

if __name__ == "__main__":
    main(prog_name="greengate")

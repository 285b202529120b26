"""Where things live. Every path has an environment variable and a default under the project folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    warehouse_dir: Path
    landing_dir: Path
    engine: str = "duckdb"  # or "spark": dbt builds on Spark (docs/spark.md)

    @property
    def build_db(self) -> Path:
        return self.warehouse_dir / "build.duckdb"

    @property
    def serve_db(self) -> Path:
        return self.warehouse_dir / "serve.duckdb"

    @property
    def lock_file(self) -> Path:
        return self.warehouse_dir / ".run.lock"

    @property
    def spark_dir(self) -> Path:
        """Spark's raw layer, tables, metastore and read-back serve file (synapscale/spark.py)."""
        return self.warehouse_dir / "spark"

    @property
    def dbt_work_dir(self) -> Path:
        """dbt's target/ and logs/ for runs against the build database (or on Spark)."""
        return self.spark_dir / "dbt" if self.engine == "spark" else self.warehouse_dir / "dbt"


def from_env(
    landing: str | os.PathLike[str] | None = None,
    warehouse: str | os.PathLike[str] | None = None,
    engine: str = "duckdb",
) -> Settings:
    """Settings from arguments, then SYNAPSCALE_* environment variables, then defaults."""
    project = Path(os.environ.get("SYNAPSCALE_PROJECT_DIR", PROJECT_DIR)).resolve()
    warehouse_dir = Path(warehouse or os.environ.get("SYNAPSCALE_WAREHOUSE", project / "warehouse")).resolve()
    landing_dir = Path(landing or os.environ.get("SYNAPSCALE_LANDING", project / "landing")).resolve()
    return Settings(project_dir=project, warehouse_dir=warehouse_dir, landing_dir=landing_dir, engine=engine)

"""The scheduled job as four modules: `lock` (one run at a time), `dbt` (the one dbt command line),
`publish` (tested build file -> serve file, atomically) and `run` (the steps in order)."""

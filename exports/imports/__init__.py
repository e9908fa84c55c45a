"""Workbook imports: a kind's template, its upload, and the job that checks every row and saves all rows
or none (DESIGN.md §6).

- `registry.KINDS`: what can be imported (companies, applications, training cohorts, outcome reports,
  historical aggregates), each with its columns and who may import it;
- `services`: `import_job_create` (checks the file before storing it) and `import_job_execute` (the
  task's work: read, validate, commit or refuse, annotate);
- `workbooks`: the downloadable template, the readers and the annotated workbook of errors.
"""

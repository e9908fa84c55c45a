"""Deterministic demo and national-scale data for `manage.py seed_demo`.

- `data`: the Korean vocabulary (names, addresses, program facts) the generator draws from;
- `records`, `calls`, `state`, `registry`, `lifecycle`, `partnerships`, `plan`: turn a seed into plain
  records in memory, without touching the database (`partnerships`: the win-win tier — partner firms,
  consortia, yearly agreements, matches, confirmations of the partners' shares, mentoring, supply-chain
  ties);
- `factories`, `training`: plan and write the deployed factories (levels, confirmations, closures,
  outcome reports, leading complexes, the historical aggregates of demo/data) and the workforce trained
  (providers, courses, cohorts);
- `writer`, `history`, `scenario`: write a plan (services for organisations, people, calls and the demo
  logins' own data; PostgreSQL COPY for the bulk), `bulk` holds the COPY helpers;
- `reset`: clear earlier seeded rows, never reference data; `logins`, `report`, `text`: what is printed.
"""

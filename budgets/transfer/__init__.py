"""Participatory budgets in and out of pabulib files (``asamblea pb import`` / ``pb export``).

An imported file becomes a **closed** process of a body, with one city-wide
pot (no districts), its projects as ``pb-project`` proposals, its ballots as
papers and its result counted with the file's rule. Choices, so that an export
gives the file back:

* **Amounts.** A pabulib file counts whole currency units; the database keeps
  minor units, so amounts are scaled by the currency's minor units on the way
  in (``PLN``: ×100) and back on the way out. An export of amounts that are not
  whole units (a live process with cents) is refused.
* **Authors.** Each project is a published proposal whose author is the member
  named by ``--as`` (default: the first network administrator). No reviews are
  written: every project of an imported process was on the ballot, and the
  process is closed, so none is needed. The result is counted but not
  approved: approval makes decisions with plans paid from the body's fund,
  and an imported budget's money was never ours.
* **Extra columns.** ``PROJECTS`` columns are kept, as text, in the proposal's
  kind fields under ``pabulib`` (``project_id`` and ``name`` included); the
  header's order is kept in ``source_meta`` under :data:`PROJECT_COLUMNS_KEY`.
  Extra ``VOTES`` columns (age, sex, district...) are *not* imported: papers
  have no place for them.
* **Project ids.** An imported project keeps its file id (written back on
  export and used to break ties, so the stored result is the file's);
  a live process's projects are ``str(Project.id)``.
* **Trackers.** An imported paper's tracker is ``"<process>:<position>:<voter_id>"``
  (files are public, their papers are not secret): the export writes the voter
  ids back in the file's order. Live papers keep their random trackers, which
  are then the ``voter_id`` (the voter's receipt finds their paper in the file),
  in tracker order.

The modules: ``importer`` (``import_pabulib``), ``exporter`` (``export_pabulib``)
and ``cli`` (the two commands); a pot's ballot is ``budgets.projects.ballot_projects``
and its count ``budgets.results.counting``, as for a live process. Nothing is
imported here, so ``asamblea`` starts without numpy.
"""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.factories",
    "tests.fixtures.postgres",
    "tests.fixtures.proposals",
    "tests.fixtures.ballots",
    "tests.fixtures.queries",
    "tests.fixtures.ledger",
    "tests.fixtures.disbursements",
    "tests.fixtures.budgets",
    "tests.fixtures.pb_voting",
    "tests.fixtures.pb_results",
]

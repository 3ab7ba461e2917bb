pytest_plugins = ["tests.db_fixtures", "tests.slack_standin.fixtures", "tests.integration.harness"]

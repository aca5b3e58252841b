# Operations targets from the operations guide. They use the same configuration as the service
# (configs/app.yaml and the DB_* variables): e.g. `DB_HOST=127.0.0.1 make migrate-status`.
.PHONY: build migrate-up migrate-down migrate-status test lint

# Rebuild only when a source changed since the last build.
SOURCES := $(shell find src -name '*.ts') package.json tsconfig.json
dist/build-info.json: $(SOURCES)
	@npm run --silent build

build: dist/build-info.json

migrate-up: build
	@node bin/paiban.js migrate up

migrate-down: build
	@node bin/paiban.js migrate down

migrate-status: build
	@node bin/paiban.js migrate status

test:
	@npm test

lint:
	@npm run --silent lint

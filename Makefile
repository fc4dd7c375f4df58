.PHONY: demo test lint format serve bench

demo:  ## install, create the demo database and serve it on :8080
	bash scripts/demo.sh

test:  ## install and run ruff and the whole suite (PostgreSQL too when KOFU_TEST_POSTGRES_URL is set)
	bash scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

serve:
	.venv/bin/python app.py serve

bench:
	.venv/bin/python bench/staff_pages.py

# Two entry points on a fresh Debian machine (as root):
#   make demo   install what is needed, start the lab, gather its tunnels, print the table
#   make test   install what is needed, run every test (unit, lab integration, sanity, lint)
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
COLLECTIONS := $(BUILD)/collections
APT_PACKAGES := strongswan-swanctl strongswan-charon libcharon-extra-plugins openvpn \
	openssh-server iproute2 sudo openssl rsync chromium chromium-driver
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_CONFIG=$(CURDIR)/tests/lab/ansible.cfg
# the lab's fleet: real strongSwan/OpenVPN gateways and the emulated vendor devices
LAB_INVENTORY := -i tests/lab/inventory.yml -i tests/lab/emulated.yml
SANITY_ROOT := $(BUILD)/sanity/ansible_collections/vpnops/tunnels
SHARED ?= $(abspath $(CURDIR)/../shared)

.PHONY: demo test deps system-deps python-deps collection lab-up lab-down unit integration \
	sanity lint bench clean

demo: deps collection
	@trap '$(BIN)/python tests/lab/lab.py down >/dev/null' EXIT; \
	$(BIN)/python tests/lab/lab.py up && \
	$(BIN)/python tests/lab/lab.py traffic && \
	$(ANSIBLE_ENV) $(BIN)/ansible-playbook vpnops.tunnels.facts $(LAB_INVENTORY)

test: deps collection
	$(BIN)/pytest -c tests/pytest.ini tests/unit tests/integration
	$(MAKE) --no-print-directory sanity lint

deps: system-deps python-deps

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

python-deps: $(VENV)/.installed

$(VENV)/.installed: requirements.txt test-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check "ansible-core>=2.16" -r requirements.txt -r test-requirements.txt
	touch $@

# Build the collection tarball and install it, exactly as a user would.
collection: python-deps
	rm -rf $(BUILD)/dist $(COLLECTIONS)/ansible_collections/vpnops/tunnels
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist . >/dev/null
	$(BIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(BUILD)/dist/vpnops-tunnels-*.tar.gz >/dev/null
	@echo "collection installed in $(COLLECTIONS)"

lab-up: deps
	$(BIN)/python tests/lab/lab.py up

lab-down:
	$(BIN)/python tests/lab/lab.py down

unit: python-deps
	$(BIN)/pytest -c tests/pytest.ini tests/unit

integration: deps collection
	$(BIN)/pytest -c tests/pytest.ini tests/integration

# ansible-test needs the collection under ansible_collections/<ns>/<name> and, offline, a
# stand-in for its pip bootstrap (see ../shared/tools/ansible-test-offline).
sanity: python-deps
	@if [ -x "$(SHARED)/tools/ansible-test-offline" ]; then "$(SHARED)/tools/ansible-test-offline" $(BIN)/python >/dev/null; fi
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)
	git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ $(SANITY_ROOT)/
	cd $(SANITY_ROOT) && git init -q && git add -A && \
		PATH=$(BIN):$$PATH $(BIN)/ansible-test sanity --venv --python 3.11

lint: collection
	cd $(CURDIR) && $(ANSIBLE_ENV) PATH=$(BIN):$$PATH $(BIN)/ansible-lint --offline playbooks/ roles/ tests/lab/

# Benchmarks print tables (tests/benchmarks/README.md); they are not tests.
bench: deps collection
	$(BIN)/python tests/benchmarks/parse_speed.py
	$(BIN)/python tests/benchmarks/health_speed.py
	$(BIN)/python tests/benchmarks/history_speed.py
	$(BIN)/python tests/benchmarks/report_speed.py
	$(BIN)/python tests/benchmarks/fleet_speed.py

clean: lab-down
	rm -rf $(BUILD) $(VENV) tests/output

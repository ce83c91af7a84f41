unit-test-src += $(wildcard tests/unit/*.c)

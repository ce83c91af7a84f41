ifeq ($(CONFIG_KVM),y)
lib-src += accel/kvm/kvm.c
endif

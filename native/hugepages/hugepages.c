// madviseHuge(buffer[, reserveBytes]): ask Linux for transparent huge pages (MADV_HUGEPAGE) on the
// memory behind an ArrayBuffer, e.g. a WebAssembly.Memory's. With `reserveBytes` larger than the
// buffer, the advice also covers address space a WebAssembly memory will grow into (V8 reserves it
// up front), so later growth gets huge pages too.
//
// Why: a decoder's heap is tens of MB touched at start-up; where a page fault is expensive (VMs
// with paravirtualised page tables pay 3-5 ms per MB of 4 KiB faults) 2 MiB pages cut that cost by
// an order of magnitude. Returns the MiB advised, or -errno; where madvise has no MADV_HUGEPAGE it
// returns -ENOSYS and changes nothing.
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

static napi_value madvise_huge(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  void* data = NULL;
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "madviseHuge: expected an ArrayBuffer");
    return NULL;
  }
  double reserve = 0;
  if (argc > 1 && napi_get_value_double(env, argv[1], &reserve) == napi_ok && reserve > (double)len) len = (size_t)reserve;
  int32_t result;
#ifdef MADV_HUGEPAGE
  // Whole huge pages only: the advice splits the mapping at its ends.
  uintptr_t a = ((uintptr_t)data + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t b = ((uintptr_t)data + len) & ~(HUGE_PAGE - 1);
  if (b <= a) result = 0;
  else if (madvise((void*)a, b - a, MADV_HUGEPAGE) == 0) result = (int32_t)((b - a) >> 20);
  else result = -errno;
#else
  result = -ENOSYS;
#endif
  napi_create_int32(env, result, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "madviseHuge", NAPI_AUTO_LENGTH, madvise_huge, NULL, &fn);
  napi_set_named_property(env, exports, "madviseHuge", fn);
  return exports;
}

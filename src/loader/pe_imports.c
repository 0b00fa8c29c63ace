/* loader/pe_imports.c: walking a mapped image's import and export
 * directories (see pe.h).
 *
 * The import directory is an array of descriptors ending with a null one;
 * each names a module and two parallel 8-byte thunk arrays ending with 0:
 * the lookup table (by ordinal when bit 63 is set, else the RVA of a hint
 * and a name) and the import address table the loader fills. The directory's
 * Size is not trusted to count them (linkers disagree on it): the walk stops
 * at the null entries, and at the end of the image. */
#include "loader/pe.h"

#include <string.h>

#define PE_IMPORT_DESCRIPTOR_SIZE 20
#define PE_ORDINAL_FLAG (1ULL << 63)
/* More than any driver imports; bounds the work a crafted image can ask for. */
#define PE_MAX_IMPORTS 65536
#define PE_EXPORT_DIRECTORY_SIZE 40

/* One descriptor's thunks: fn for each; *total counts imports across the image. */
static bool pe_import_thunks(const struct pe_image *img, const char *module, uint32_t lookup,
                             uint32_t iat, unsigned *total, pe_import_fn *fn, void *ctx, bool *stop, char *err,
                             size_t errn)
{
    for (uint64_t k = 0;; k++) {
        uint64_t at = lookup + 8 * k, slot = iat + 8 * k;
        if (!pe_image_has(img, at, 8) || !pe_image_has(img, slot, 8))
            return pe_fail(err, errn, "imports from %s: the thunk table at RVA 0x%x runs past the end of the image "
                                      "(no terminating 0)", module, pe_image_has(img, at, 8) ? iat : lookup);
        uint64_t thunk = pe_rd64(img->base + at);
        if (!thunk)
            return true;
        if (++*total > PE_MAX_IMPORTS)
            return pe_fail(err, errn, "import directory: more than %d imports; no driver imports that many",
                           PE_MAX_IMPORTS);
        struct pe_import imp = { module, NULL, 0, (uint32_t)slot, (uint64_t *)(img->base + slot) };
        if (thunk & PE_ORDINAL_FLAG) {
            imp.ordinal = (uint16_t)thunk;
        } else {
            if (thunk > 0x7fffffff || !pe_image_has(img, thunk, 3))
                return pe_fail(err, errn, "imports from %s: import %llu's name at RVA 0x%llx lies outside the image",
                               module, (unsigned long long)k, (unsigned long long)thunk);
            imp.ordinal = pe_rd16(img->base + thunk); /* the hint */
            imp.name = pe_image_string(img, thunk + 2);
            if (!imp.name)
                return pe_fail(err, errn, "imports from %s: import %llu's name at RVA 0x%llx is not terminated "
                                          "within the image", module, (unsigned long long)k,
                               (unsigned long long)thunk + 2);
            if (!imp.name[0])
                return pe_fail(err, errn, "imports from %s: import %llu has an empty name", module,
                               (unsigned long long)k);
        }
        if (!fn(ctx, &imp)) {
            *stop = true;
            return true;
        }
    }
}

bool pe_imports(const struct pe_file *pe, struct pe_image *img, pe_import_fn *fn, void *ctx, char *err, size_t errn)
{
    const struct pe_dir *dir = &pe->dir[PE_DIR_IMPORT];
    unsigned total = 0;
    bool stop = false;

    if (!dir->rva)
        return true;
    for (unsigned i = 0; !stop; i++) {
        uint64_t at = dir->rva + (uint64_t)i * PE_IMPORT_DESCRIPTOR_SIZE;
        if (!pe_image_has(img, at, PE_IMPORT_DESCRIPTOR_SIZE))
            return pe_fail(err, errn, "import directory: descriptor %u at RVA 0x%llx lies past the end of the image "
                                      "(no terminating null descriptor)", i, (unsigned long long)at);
        const uint8_t *d = img->base + at;
        uint32_t lookup = pe_rd32(d), name_rva = pe_rd32(d + 12), iat = pe_rd32(d + 16);
        if (!name_rva && !iat)
            return true;
        const char *module = pe_image_string(img, name_rva);
        if (!name_rva || !module)
            return pe_fail(err, errn, "import descriptor %u: the module name at RVA 0x%x is %s", i, name_rva,
                           pe_image_has(img, name_rva, 1) && name_rva ? "not terminated within the image"
                                                                      : "outside the image");
        if (!module[0])
            return pe_fail(err, errn, "import descriptor %u: the module name is empty", i);
        if (!iat)
            return pe_fail(err, errn, "imports from %s: FirstThunk is 0", module);
        if (!pe_import_thunks(img, module, lookup ? lookup : iat, iat, &total, fn, ctx, &stop, err, errn))
            return false;
    }
    return true;
}

bool pe_exports(const struct pe_file *pe, const struct pe_image *img, pe_export_fn *fn, void *ctx, char *err,
                size_t errn)
{
    const struct pe_dir *dir = &pe->dir[PE_DIR_EXPORT];

    if (!dir->rva)
        return true;
    if (!pe_image_has(img, dir->rva, PE_EXPORT_DIRECTORY_SIZE))
        return pe_fail(err, errn, "export directory: RVA 0x%x lies outside the image", dir->rva);
    const uint8_t *d = img->base + dir->rva;
    uint32_t nfunctions = pe_rd32(d + 20), nnames = pe_rd32(d + 24);
    uint32_t functions = pe_rd32(d + 28), names = pe_rd32(d + 32), ordinals = pe_rd32(d + 36);
    if (!pe_image_has(img, functions, 4ull * nfunctions) || !pe_image_has(img, names, 4ull * nnames) ||
        !pe_image_has(img, ordinals, 2ull * nnames))
        return pe_fail(err, errn, "export directory: its tables (%u functions, %u names) lie outside the image",
                       nfunctions, nnames);
    for (uint32_t i = 0; i < nnames; i++) {
        const char *name = pe_image_string(img, pe_rd32(img->base + names + 4ull * i));
        uint16_t index = pe_rd16(img->base + ordinals + 2ull * i);
        if (!name)
            return pe_fail(err, errn, "export directory: name %u is not a string inside the image", i);
        if (index >= nfunctions)
            return pe_fail(err, errn, "export directory: %s has function index %u of %u", name, index, nfunctions);
        uint32_t rva = pe_rd32(img->base + functions + 4ull * index);
        bool forwarder = rva >= dir->rva && rva < (uint64_t)dir->rva + dir->size;
        if (!forwarder && rva < img->size)
            fn(ctx, name, rva);
    }
    return true;
}

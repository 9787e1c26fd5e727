// The one size cap of a read, shared by the readers (io-nifti, io-h5), the config's image
// shapes and the loader, so NIfTI and HDF5 data are held to the same bound.

/**
 * Default cap on one volume, in bytes of float32 output: 2^31 (2 GiB, 2^29 voxels, e.g. 812^3).
 * The readers check it from the declared shape and type before reading anything (`TOO_LARGE`);
 * the config checks its image shapes against it. Pass `maxBytes` to change it.
 */
export const DEFAULT_MAX_BYTES = 2 ** 31;

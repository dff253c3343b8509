package dev.patchbay.firewall.nftables;

import jnr.ffi.Pointer;

/** The part of libnftables 1.0.6 Patchbay uses (jnr-ffi needs the interface public). */
public interface LibNftables {
    int NFT_CTX_DEFAULT = 0;
    int OUTPUT_HANDLE = 1 << 3;
    int OUTPUT_JSON = 1 << 4;
    int OUTPUT_ECHO = 1 << 5;

    Pointer nft_ctx_new(int flags);

    void nft_ctx_free(Pointer ctx);

    int nft_ctx_buffer_output(Pointer ctx);

    String nft_ctx_get_output_buffer(Pointer ctx);

    int nft_ctx_buffer_error(Pointer ctx);

    String nft_ctx_get_error_buffer(Pointer ctx);

    int nft_ctx_output_get_flags(Pointer ctx);

    void nft_ctx_output_set_flags(Pointer ctx, int flags);

    int nft_run_cmd_from_buffer(Pointer ctx, String buf);
}

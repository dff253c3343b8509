/**
 * A dry run's parts, for any use case written on core's SPI: {@link dev.patchbay.dryrun.OverlayStack}, a network stack that
 * reads the kernel and records each change as the command of the seeds' language that makes it ({@code ip}, {@code sysctl},
 * {@code tc}) in a {@link dev.patchbay.dryrun.ShellScript}, answering later reads from what it recorded; and
 * {@link dev.patchbay.dryrun.ScratchIpam}, an IPAM whose data directories are copies. Nothing here changes the kernel.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.patchbay.dryrun;

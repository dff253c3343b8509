/** Where allocations live: {@link dev.patchbay.plugin.ipam.store.Store}, on disk in CNI host-local's layout. Private. */
package dev.patchbay.plugin.ipam.store;

/**
 * Build-time AOT cache training, never used at run time: {@link
 * dev.finch.soci.training.SociCliTraining} and {@link dev.finch.soci.training.DaemonTraining} run
 * the CLI's and the daemon's hot paths against stand-ins, so the launchers' AOT caches hold what a
 * real run loads (see {@code scripts/make-launchers} and {@code installers/build-guest-bundle}).
 */
package dev.finch.soci.training;

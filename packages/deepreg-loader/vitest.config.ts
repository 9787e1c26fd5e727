// Tests of this package read real files, start worker threads and run whole epochs; on a loaded
// 2-core machine (CI runs every package at once) some take several seconds, so the default
// 5 s per test is raised. A test that hangs still fails, after 2 minutes.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });

// Shared helpers for the release scripts: find the publishable packages, build them, pack them.
import { execFile as execFileCb, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const execFile = promisify(execFileCb);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every non-private package under packages/, sorted by name. */
export function publishablePackages() {
  const dir = join(root, "packages");
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name))
    .map((pkgDir) => ({
      dir: pkgDir,
      manifest: JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")),
    }))
    .filter((pkg) => !pkg.manifest.private)
    .map((pkg) => ({ ...pkg, name: pkg.manifest.name, version: pkg.manifest.version }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs a command with inherited output; rejects on a non-zero exit. */
export function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: "inherit", cwd: root, ...options });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

/** Builds every publishable package (and what they depend on) through turbo's cache. */
export async function buildAll() {
  await run("pnpm", [
    "exec",
    "turbo",
    "run",
    "build",
    "--filter=./packages/*",
    "--output-logs=errors-only",
  ]);
}

/** Maps items through `fn` with at most `limit` in flight, keeping the order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * `pnpm pack`s one package into `destination`. pnpm rewrites `workspace:` ranges to real ones
 * in the packed package.json, exactly as `pnpm publish` / `changeset publish` would.
 * Returns `{ tarball, size, files }` from pnpm's JSON report.
 */
export async function pack(pkg, destination) {
  const { stdout } = await execFile("pnpm", ["pack", "--json", "--pack-destination", destination], {
    cwd: pkg.dir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf("{")));
  return { tarball: report.filename, size: report.size, files: report.files.map((f) => f.path) };
}

/** Reads one file out of a tarball (paths inside npm tarballs start with `package/`). */
export async function readFromTarball(tarball, path) {
  const { stdout } = await execFile("tar", ["-xzOf", tarball, `package/${path}`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Sum of the file sizes inside a tarball. */
export async function unpackedSize(tarball) {
  const { stdout } = await execFile("tar", ["-tvzf", tarball], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split("\n")
    .filter(Boolean)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[2] ?? 0), 0);
}

/** Public subpaths of an `exports` map, with the file each one resolves to by default. */
export function subpaths(manifest) {
  const exportsField = manifest.exports ?? { ".": manifest.main };
  return Object.entries(exportsField).map(([subpath, target]) => ({
    subpath,
    specifier: subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
    target: typeof target === "string" ? target : (target.default ?? target.import),
  }));
}

/** Decimal units, as npm and size-limit print them (1 kB = 1000 B). */
export function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1000 * 1000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1000 / 1000).toFixed(2)} MB`;
}

/** Renders rows (arrays of strings) as an aligned text table under `header`. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

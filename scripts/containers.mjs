#!/usr/bin/env node
// Makes a container engine available for the provider node's runtime and its tests, idempotently:
// installs Podman, runc and a static busybox (apt, as root) when missing, starts Podman's Docker-compatible
// API service on a unix socket when nothing answers there, and builds the offline test image from busybox.
// Flags follow the recipe verified on these machines: runc with cgroupfs and no default ulimits, because the
// defaults (crun, systemd cgroups, RLIMIT_NOFILE) fail in sandboxes like CI's.
//
// Usage: node scripts/containers.mjs [--json]
//   GRIDLEASE_ENGINE_SOCKET  the socket to use (default /run/gridlease/podman.sock); if something already
//                            answers the Docker Engine API there (Docker or Podman), it is used as is.
// Prints the socket and the test image's pinned reference; with --json, one JSON object on stdout.
// Node built-ins only: it runs before anything else is known to work.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const SOCKET = process.env.GRIDLEASE_ENGINE_SOCKET ?? "/run/gridlease/podman.sock";
const STATE = dirname(SOCKET);
const CONTAINERS_CONF = join(STATE, "containers.conf");
const RUNC = "/usr/sbin/runc";
const TEST_IMAGE = "localhost/gridlease-busybox:1";
const PACKAGES = ["podman", "runc", "busybox-static"];
const BUSYBOX_CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"];
const json = process.argv.includes("--json");

/** Progress goes to stderr so --json keeps stdout to one object. */
function say(message) {
  process.stderr.write(`containers: ${message}\n`);
}

function fail(message) {
  say(`error: ${message}`);
  process.exit(1);
}

function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * A busybox that runs alone in an empty image: statically linked, which `ldd` reports by failing ("not a
 * dynamic executable"). Debian's plain `busybox` package is dynamic; `busybox-static` replaces it.
 */
function staticBusybox() {
  return BUSYBOX_CANDIDATES.find(
    (path) => existsSync(path) && spawnSync("ldd", [path], { stdio: "ignore" }).status !== 0,
  );
}

function installPackages() {
  if (has("podman") && existsSync(RUNC) && staticBusybox()) return;
  if (process.getuid?.() !== 0) {
    fail(
      `podman, runc or a static busybox is missing; as root run: apt-get install -y ${PACKAGES.join(" ")} (then rerun npm run containers)`,
    );
  }
  say(`installing ${PACKAGES.join(", ")} with apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let install = spawnSync("apt-get", ["install", "-y", ...PACKAGES], { stdio: ["ignore", "inherit", "inherit"], env });
  if (install.status !== 0) {
    spawnSync("apt-get", ["update"], { stdio: ["ignore", "inherit", "inherit"], env });
    install = spawnSync("apt-get", ["install", "-y", ...PACKAGES], { stdio: ["ignore", "inherit", "inherit"], env });
  }
  if (install.status !== 0) {
    fail(`apt-get install -y ${PACKAGES.join(" ")} failed (exit ${install.status}); fix apt and rerun`);
  }
}

/**
 * Podman's environment: our containers.conf, and the system's PATH rather than the caller's. Netavark, which
 * wires a published port, runs iptables from /usr/sbin; a service started from a shell whose PATH lacks the
 * sbin folders (`env -i PATH=/usr/local/bin:/usr/bin:/bin`, as CI runs) fails every container that publishes
 * a port with "netavark: No such file or directory (os error 2)".
 */
const PODMAN_ENV = {
  ...process.env,
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  CONTAINERS_CONF,
};

/** Podman's global flags for this sandbox-safe configuration. */
function podman(args, options = {}) {
  return spawnSync("podman", ["--runtime", RUNC, "--cgroup-manager=cgroupfs", ...args], {
    encoding: "utf8",
    env: PODMAN_ENV,
    ...options,
  });
}

/**
 * Pings the engine: its name and version from the answer's Server header (`Libpod/4.3.1 (linux)`,
 * `Docker/27.0.3 (linux)`), "down" when nothing listens (no socket, refused), or "busy" when a service is there
 * but slow. Never /version: Podman runs dpkg-query for every /version call, which piles up on a loaded machine.
 */
function ping(timeoutMs) {
  return new Promise((resolve) => {
    const req = request({ socketPath: SOCKET, path: "/_ping", timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) return resolve("busy");
        const [, server = "Docker", version = res.headers["api-version"] ?? "unknown"] =
          /^(\w+)\/(\S+)/.exec(String(res.headers.server ?? "")) ?? [];
        resolve(`${server === "Libpod" ? "Podman Engine" : `${server} Engine`} ${version}`);
      });
    });
    req.on("error", (error) => resolve(error.code === "ENOENT" || error.code === "ECONNREFUSED" ? "down" : "busy"));
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.end();
  });
}

async function ensureService() {
  // A slow answer is a busy service, not a dead one: replacing it would pile services on one socket.
  let engine = "busy";
  for (let tries = 0; tries < 12 && engine === "busy"; tries++) engine = await ping(10_000);
  if (engine === "busy")
    fail(`the engine on ${SOCKET} is there but has not answered for two minutes: the machine is overloaded`);
  if (engine !== "down") return engine;
  mkdirSync(STATE, { recursive: true });
  // An empty ulimit list: the default RLIMIT_NOFILE raise is not permitted in sandboxes.
  writeFileSync(CONTAINERS_CONF, "[containers]\ndefault_ulimits = []\n");
  if (existsSync(SOCKET)) rmSync(SOCKET);
  const logFile = join(STATE, "podman-service.log");
  say(`starting the Podman API service on unix://${SOCKET} (log: ${logFile})`);
  const log = openSync(logFile, "a");
  const service = spawn(
    "podman",
    ["--runtime", RUNC, "--cgroup-manager=cgroupfs", "system", "service", "--time=0", `unix://${SOCKET}`],
    {
      // The service outlives this checkout's commands: started from a folder that is later removed (a
      // temporary clone, a worktree), its conmon children fail with "Failed to get working directory".
      cwd: "/",
      detached: true,
      stdio: ["ignore", log, log],
      env: PODMAN_ENV,
    },
  );
  service.unref();
  writeFileSync(join(STATE, "podman-service.pid"), `${service.pid}\n`);
  for (let waited = 0; waited < 30_000; waited += 250) {
    const started = await ping(2_000);
    if (started !== "down" && started !== "busy") return started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail(`the Podman API service did not answer on ${SOCKET} within 30 s; see ${logFile}`);
}

/** The test image: busybox's static binary and its applet links, imported offline (no registry needed). */
function ensureTestImage() {
  if (podman(["image", "exists", TEST_IMAGE]).status !== 0) {
    const busybox = staticBusybox();
    const work = mkdtempSync(join(tmpdir(), "gridlease-image-"));
    try {
      const rootfs = join(work, "rootfs");
      for (const dir of ["bin", "etc", "tmp"]) mkdirSync(join(rootfs, dir), { recursive: true });
      copyFileSync(busybox, join(rootfs, "bin", "busybox"));
      const applets = spawnSync(busybox, ["--list"], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((name) => name && name !== "busybox");
      for (const applet of applets) symlinkSync("busybox", join(rootfs, "bin", applet));
      const tar = join(work, "rootfs.tar");
      const packed = spawnSync(
        "tar",
        ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C", rootfs, "-cf", tar, "."],
        { stdio: "inherit" },
      );
      if (packed.status !== 0) fail("tar failed while packing the busybox rootfs");
      const imported = podman(["import", "--change", "ENV=PATH=/bin", "--change", 'CMD=["/bin/sh"]', tar, TEST_IMAGE]);
      if (imported.status !== 0) fail(`podman import failed: ${imported.stderr.trim()}`);
      say(`built ${TEST_IMAGE} from ${busybox}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const inspect = podman(["image", "inspect", TEST_IMAGE, "--format", "{{.Digest}}"]);
  const digest = inspect.stdout.trim();
  if (inspect.status !== 0 || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    fail(`cannot read the digest of ${TEST_IMAGE}: ${inspect.stderr.trim()}`);
  }
  return digest;
}

installPackages();
const engine = await ensureService();
const digest = ensureTestImage();
const [name] = TEST_IMAGE.split(":");
const result = {
  socket: SOCKET,
  engine,
  testImage: TEST_IMAGE,
  testImageRef: `${name}@${digest}`,
  testImageDigest: digest,
};
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else say(`${result.engine} on unix://${SOCKET}; test image ${result.testImageRef}`);

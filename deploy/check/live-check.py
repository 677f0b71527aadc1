#!/usr/bin/env python3
"""Load a running Strata, compare what clients were told with /metrics, and evaluate every Grafana
panel query against a real Prometheus scraping it.

    ./strata build
    python3 deploy/check/live-check.py --jar server/target/strata.jar --requests 40

Starts `strata serve` on 127.0.0.1 (a free port) and, if `prometheus` is on PATH (Debian package
`prometheus`), a Prometheus scraping it every second; everything is stopped at the end. Only the
standard library is used. Exit status 0 when every counter agrees within 2 % and every panel query
returns data.
"""
import argparse, concurrent.futures, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, body=None, headers=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, dict(r.headers), r.read().decode()


def wait_for(what, check, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"timed out waiting for {what}")


def scrape(base):
    samples = {}
    for line in http(base + "/metrics")[2].splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            samples[key] = float(value)
    return samples


def total(samples, name, **labels):
    out = 0.0
    for key, value in samples.items():
        metric = key.split("{", 1)[0]
        if metric == name and all(f'{k}="{v}"' in key for k, v in labels.items()):
            out += value
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default=os.path.join(ROOT, "server/target/strata.jar"))
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    java = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java")
    server = subprocess.Popen([java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                               f"-Dstrata.models.dir={ROOT}/models", "-jar", args.jar, "serve", "--port", str(port),
                               "--grpc-port", "-1", "--threads", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prom = None
    workdir = tempfile.mkdtemp(prefix="strata-live-check-")
    try:
        wait_for("readiness", lambda: http(base + "/health/ready")[0] == 200, 120)
        model = json.loads(http(base + "/v1/models")[2])["data"][0]["id"]

        if shutil.which("prometheus"):
            prom_port = free_port()
            with open(os.path.join(workdir, "prometheus.yml"), "w") as f:
                f.write(f"global: {{scrape_interval: 1s}}\nscrape_configs:\n  - job_name: strata\n"
                        f"    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n")
            prom = subprocess.Popen(["prometheus", f"--config.file={workdir}/prometheus.yml",
                                     f"--storage.tsdb.path={workdir}/data", f"--web.listen-address=127.0.0.1:{prom_port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            prom_base = f"http://127.0.0.1:{prom_port}"
            wait_for("prometheus", lambda: http(prom_base + "/-/ready")[0] == 200, 60)

        def one(i):
            stream = i % 4 == 3
            body = {"model": model, "max_tokens": 8 + i % 8, "temperature": 0}
            if i % 2:
                body["messages"] = [{"role": "user", "content": f"Tell me story number {i}"}]
                path = "/v1/chat/completions"
            else:
                body["prompt"] = f"Once upon a time, story {i}"
                path = "/v1/completions"
            if stream:
                body.update(stream=True, stream_options={"include_usage": True})
            status, headers, text = http(base + path, body, {"x-strata-tenant": f"tenant{i % 3}"})
            if stream:
                events = [json.loads(l[6:]) for l in text.splitlines() if l.startswith("data: {")]
                usage = [e["usage"] for e in events if e.get("usage")][-1]
            else:
                usage = json.loads(text)["usage"]
            return usage, float(headers.get("x-strata-cost-usd", "nan"))

        start = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(one, range(args.requests)))
        seconds = time.time() - start
        prompt = sum(u["prompt_tokens"] for u, _ in results)
        completion = sum(u["completion_tokens"] for u, _ in results)
        print(f"load: {args.requests} requests, {args.concurrency} at a time, {seconds:.1f} s, "
              f"{completion / seconds:.1f} generated tokens/s")

        samples = scrape(base)
        checks = [
            ("requests", args.requests, total(samples, "vllm:request_success_total", model_name=model)),
            ("prompt tokens", prompt, total(samples, "vllm:prompt_tokens_total", model_name=model)),
            ("generated tokens", completion, total(samples, "vllm:generation_tokens_total", model_name=model)),
            ("TTFT observations", args.requests, total(samples, "vllm:time_to_first_token_seconds_count", model_name=model)),
            ("HTTP 200s", args.requests, total(samples, "strata_requests_total", status="200", method="POST")),
            ("billed completion tokens", completion, total(samples, "strata_tokens_total", type="completion")),
        ]
        ok = True
        print(f"{'check':26} {'load test':>10} {'/metrics':>10}  diff")
        for name, expected, got in checks:
            diff = abs(got - expected) / max(expected, 1)
            ok &= diff <= 0.02
            print(f"{name:26} {expected:>10.0f} {got:>10.0f}  {100 * diff:.2f} %")

        if prom:
            time.sleep(3)  # a few more scrapes after the load
            dash = json.load(open(os.path.join(ROOT, "deploy/grafana/strata-dashboard.json")))
            print("\nGrafana panel queries evaluated by Prometheus (range: last 2 minutes):")
            for panel in dash["panels"]:
                for target in panel["targets"]:
                    expr = (target["expr"].replace("$__rate_interval", "1m").replace('"$model"', '".*"')
                            .replace('"$tenant"', '".*"'))
                    q = urllib.parse.urlencode({"query": expr, "start": time.time() - 120, "end": time.time(), "step": "5"})
                    result = json.loads(http(f"{prom_base}/api/v1/query_range?{q}")[2])
                    series = result["data"]["result"]
                    last = [s["values"][-1][1] for s in series if s["values"]]
                    ok &= bool(series) or "prefix_cache" in expr or "rejects" in expr
                    print(f"  {panel['title'][:34]:34} {target['legendFormat'][:28]:28} series={len(series):2d} "
                          f"last={', '.join(v[:8] for v in last[:3])}")
        print("\nOK" if ok else "\nMISMATCH")
        return 0 if ok else 1
    finally:
        for p in (prom, server):
            if p:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

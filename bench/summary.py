"""
bench/compare's results: one value per (row, server) as the median of
its rounds, the side-by-side table with cellftpd's ratio to the best
peer, the issue's targets checked against them, the JSON file and the
gnuplot chart.
"""

import json
import os
import shutil
import statistics
import subprocess

PEERS = ["vsftpd", "pure-ftpd", "proftpd"]
CHART = {"mem": "idle memory", "logins": "logins/s", "retr": "RETR",
	 "retr4": "RETR xN", "stor": "STOR", "stor4": "STOR xN",
	 "small": "small files", "list": "LIST", "fair": "fairness",
	 "fair_tp": "xN throughput", "mixed_p99": "NOOP p99 (mixed)",
	 "mixed_mem": "memory (mixed)"}


def human(n):
	for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
		if n >= size and n % size == 0:
			return "%d %s" % (n // size, unit)
	return "%d B" % n


def rows(sz):
	"""(key, run key, metric, label, unit, better: hi / lo / None)."""
	big, mid = human(sz["big"]), human(sz["mid"])
	return [
		("baseline", "sendfile", "throughput_mib_s",
		 "raw sendfile over loopback, %s (baseline)" % big, "MiB/s", None),
		("mem", "idle", "pss_per_session_kib",
		 "memory per idle logged-in session, PSS", "KiB", "lo"),
		("mem_n", "idle", "sessions", "  sessions held for that", "", None),
		("logins", "logins", "rate", "logins/s, %d clients, yescrypt"
		 % sz["login_clients"], "/s", "hi"),
		("login_p50", "logins", "p50_ms", "  login latency p50", "ms", "lo"),
		("login_p99", "logins", "p99_ms", "  login latency p99", "ms", "lo"),
		("retr", "retr", "throughput_mib_s", "RETR %s, one stream" % big,
		 "MiB/s", "hi"),
		("retr4", "retr4", "throughput_mib_s", "RETR %s, %d streams at once"
		 % (big, sz["streams"]), "MiB/s", "hi"),
		("stor", "stor", "throughput_mib_s", "STOR %s, one stream" % big,
		 "MiB/s", "hi"),
		("stor4", "stor4", "throughput_mib_s", "STOR %s, %d streams at once"
		 % (human(sz["big"] // sz["streams"]), sz["streams"]), "MiB/s",
		 "hi"),
		("small", "small", "files_s", "%s RETR, new data connection each, "
		 "%d sessions" % (human(sz["small"]), sz["small_sessions"]),
		 "files/s", "hi"),
		("list", "list", "p50_ms", "LIST of {:,} entries (median)".format(
			sz["list"]), "ms", "lo"),
		("fair", "fair", "spread_pct", "%d x %s at once: slowest over fastest"
		 % (sz["fair"], mid), "%", "lo"),
		("fair_tp", "fair", "throughput_mib_s", "  their throughput, all",
		 "MiB/s", "hi"),
		("mixed_n", "mixed", "sessions", "mixed: sessions held, %d of them "
		 "downloading" % sz["mixed_streams"], "", None),
		("mixed_p99", "mixed", "noop_p99_ms", "mixed: NOOP p99 of the idle "
		 "ones", "ms", "lo"),
		("mixed_mem", "mixed", "pss_per_session_kib",
		 "mixed: PSS per session", "KiB", "lo"),
	]


def collect(runs, sz):
	"""{row key: {server: (median value, all rounds clean)}}."""
	out = {}
	for key, run, metric, _, _, _ in rows(sz):
		per = {}
		for r in runs:
			if r["run"] != run or r.get("result") is None:
				continue
			v = r["result"]["metrics"].get(metric)
			if v is None:
				continue
			clean = r["result"]["complete"] and r["result"]["errors"] == 0
			vals, ok = per.get(r["server"], ([], True))
			per[r["server"]] = (vals + [v], ok and clean)
		out[key] = {s: (statistics.median(v), ok)
			    for s, (v, ok) in per.items()}
	return out


def ratio(vals, better):
	"""cellftpd against the best peer, > 1 meaning cellftpd is better."""
	cell = vals.get("cellftpd", (None,))[0]
	peers = [vals[p][0] for p in PEERS if p in vals and vals[p][0]]
	if not cell or not peers or better is None:
		return None, None
	if better == "hi":
		best = max(peers)
		return cell / best, best
	best = min(peers)
	return best / cell, best


def fmt(v):
	if v is None:
		return "-"
	if v == int(v) or v >= 100:
		return "{:,.0f}".format(v)
	if v >= 10:
		return "%.1f" % v
	return "%.2f" % v


def table(values, sz, servers):
	"""The side-by-side table as Markdown lines."""
	head = ["", *servers, "cellftpd vs best peer"]
	lines = ["| " + " | ".join(head) + " |",
		 "|" + "---|" * len(head)]
	for key, _, _, label, unit, better in rows(sz):
		vals = values.get(key, {})
		if not vals or key == "baseline":
			continue
		cells = []
		for s in servers:
			v, ok = vals.get(s, (None, True))
			cells.append(fmt(v) + ("" if ok or v is None else " *"))
		r, _ = ratio(vals, better)
		lab = label + (" (%s)" % unit if unit else "")
		lines.append("| " + " | ".join([lab] + cells +
					       ["%.2fx" % r if r else ""]) + " |")
	return lines


def get(values, key, server="cellftpd"):
	"""One server's value of one row, None if it has none."""
	return values.get(key, {}).get(server, (None,))[0]


def targets(values, hash_limit):
	"""The issue's targets: [(target, verdict, numbers)]."""
	out = []

	def check(text, ok, detail):
		verdict = "n/a" if ok is None else ("met" if ok else "MISSED")
		out.append((text, verdict, detail))

	g = lambda *key_server: get(values, *key_server)
	mem, vs_mem = g("mem"), g("mem", "vsftpd")
	check("idle session <= 4 KiB PSS and 100x less than vsftpd",
	      None if mem is None or not vs_mem else
	      mem <= 4 and vs_mem / max(mem, 1e-9) >= 100,
	      "%s KiB; vsftpd %s KiB" % (fmt(mem), fmt(vs_mem)))
	lg, vs_lg = g("logins"), g("logins", "vsftpd")
	check("logins/s >= 2x vsftpd and >= 90% of cores/verify",
	      None if lg is None or not vs_lg else
	      lg >= 2 * vs_lg and lg >= 0.9 * hash_limit,
	      "%s/s; vsftpd %s/s; hash allows %s/s" % (fmt(lg), fmt(vs_lg),
						   fmt(hash_limit)))
	r, best = ratio(values.get("retr", {}), "hi")
	base = g("baseline", "sendfile")
	check("RETR >= best peer and >= 90% of raw sendfile",
	      None if r is None or not base else
	      r >= 1 and g("retr") >= 0.9 * base,
	      "%s MiB/s; best peer %s; sendfile %s" % (fmt(g("retr")),
						       fmt(best), fmt(base)))
	for key, want, text in (("stor", 1.0, "STOR >= best peer"),
				("small", 1.5, "4 KiB files >= 1.5x best peer")):
		r, best = ratio(values.get(key, {}), "hi")
		check(text, None if r is None else r >= want,
		      "%s; best peer %s (%.2fx)" % (fmt(g(key)), fmt(best), r or 0))
	r, best = ratio(values.get("list", {}), "lo")
	check("LIST time <= 0.7x best peer",
	      None if r is None else 1 / r <= 0.7,
	      "%s ms; best peer %s ms" % (fmt(g("list")), fmt(best)))
	n, p99 = g("mixed_n"), g("mixed_p99")
	check("10,000 sessions, idle NOOP p99 < 50 ms with 100 downloading",
	      None if n is None or p99 is None else n >= 10000 and p99 < 50,
	      "%s sessions, p99 %s ms" % (fmt(n), fmt(p99)))
	sp = g("fair")
	check("fairness: concurrent downloads within 20% of each other",
	      None if sp is None else sp <= 20, "spread %s%%" % fmt(sp))
	return out


def chart(values, sz, servers, outdir, script):
	"""chart.png from chart.dat, each value relative to vsftpd."""
	ref = "vsftpd" if "vsftpd" in servers else None
	if ref is None or len(servers) < 2 or shutil.which("gnuplot") is None:
		return None
	dat = os.path.join(outdir, "chart.dat")
	with open(dat, "w") as f:
		f.write("metric " + " ".join('"%s"' % s for s in servers) + "\n")
		for key, _, _, label, _, better in rows(sz):
			vals = values.get(key, {})
			if key not in CHART or not vals.get(ref, (None,))[0]:
				continue
			rv = vals[ref][0]
			cells = []
			for s in servers:
				v = vals.get(s, (None,))[0]
				if not v:
					cells.append("?")
				else:
					cells.append("%.4g" % (v / rv if better == "hi"
							       else rv / v))
			f.write('"%s" %s\n' % (CHART[key], " ".join(cells)))
	png = os.path.join(outdir, "chart.png")
	r = subprocess.run(["gnuplot", "-e", "datafile='%s'; outfile='%s'; "
			    "nservers=%d" % (dat, png, len(servers)), script],
			   capture_output=True, text=True)
	if r.returncode != 0:
		print("compare: gnuplot failed: %s" % r.stderr.strip())
		return None
	return png


def write_json(path, doc):
	with open(path, "w") as f:
		json.dump(doc, f, indent=1, sort_keys=False)
		f.write("\n")

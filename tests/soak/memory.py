"""Resident memory of each service process over time, and whether it grows past warm-up."""
from pathlib import Path


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), None)


def sample(system, services, since):
    """One sample: {"t": seconds since `since`, "<service> <pid>": MB, …} of every service process."""
    import time

    taken = {"t": round(time.monotonic() - since, 1)}
    for name in services:
        for pid in system.service_pids(name):
            mb = rss_mb(pid)
            if mb is not None:
                taken[f"{name} {pid}"] = round(mb, 1)
    return taken


def trends(samples, warm_up_fraction=0.25):
    """For each process: MB after its warm-up, at the end, and the least-squares growth per hour
    over the part after warm-up. A process started late (restarted after a kill) warms up from its
    own first sample."""
    series = {}
    for taken in samples:
        for key, mb in taken.items():
            if key != "t":
                series.setdefault(key, []).append((taken["t"], mb))
    result = {}
    for key, points in series.items():
        points = points[int(len(points) * warm_up_fraction):]
        if len(points) < 3:
            continue
        slope, span = _growth(points)
        latter = points[len(points) // 2:]
        latter_slope, latter_span = _growth(latter) if len(latter) >= 3 else (slope, span)
        result[key] = {"after_warm_up_mb": points[0][1], "end_mb": points[-1][1], "peak_mb": max(mb for _, mb in points),
                       "trend_mb_per_hour": round(slope * 3600, 1), "trend_over_run_mb": round(slope * span, 1),
                       "latter_half_over_run_mb": round(latter_slope * latter_span, 1), "samples": len(points)}
    return result


def _growth(points):
    """(least-squares MB per second, seconds spanned) of [(t, MB)]."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_mb = sum(mb for _, mb in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points) or 1.0
    return sum((t - mean_t) * (mb - mean_mb) for t, mb in points) / spread, points[-1][0] - points[0][0]


def flat(trend, tolerance=0.10, floor_mb=8.0):
    """No growth trend past warm-up: over the measured span, less than 10 % (or 8 MB) of where it
    began. A step that then stays level is no trend: catching up the backlog after a broker restart
    takes memory once (seen: +9 MB in 20 s, then level). So growth past the limit still counts as
    flat when the latter half of the span grew less than half the limit; a leak keeps growing there
    at its rate and is still caught."""
    limit = max(floor_mb, tolerance * trend["after_warm_up_mb"])
    return trend["trend_over_run_mb"] <= limit or trend.get("latter_half_over_run_mb", limit) <= limit / 2

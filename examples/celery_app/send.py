"""Sends a few tasks and prints their results: run it while a worker is up."""

from tasks import add

if __name__ == "__main__":
    results = [add.delay(n, n) for n in range(5)]
    print([result.get(timeout=30) for result in results])

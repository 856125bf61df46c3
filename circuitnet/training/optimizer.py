"""Adam with a cosine learning-rate schedule; its whole state is plain arrays (checkpointable)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Adam:
    """Adam (Kingma & Ba) over a list of arrays. ``lr`` follows a cosine from ``lr`` down
    to ``lr * final_fraction`` over ``total_steps``."""

    lr: float
    total_steps: int
    final_fraction: float = 0.05
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    step_count: int = 0
    m: list = field(default_factory=list)
    v: list = field(default_factory=list)

    def rate(self) -> float:
        progress = min(self.step_count / max(self.total_steps, 1), 1.0)
        return self.lr * (self.final_fraction + (1 - self.final_fraction) * 0.5 * (1 + math.cos(math.pi * progress)))

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """New parameters after one step (the inputs are not modified)."""
        if not self.m:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        rate = self.rate()
        self.step_count += 1
        t = self.step_count
        updated = []
        for i, (p, g) in enumerate(zip(params, grads, strict=False)):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
            m_hat = self.m[i] / (1 - self.beta1 ** t)
            v_hat = self.v[i] / (1 - self.beta2 ** t)
            updated.append(p - rate * m_hat / (np.sqrt(v_hat) + self.eps))
        return updated

    def state(self) -> dict:
        return {"step_count": self.step_count, "m": [a.tolist() for a in self.m], "v": [a.tolist() for a in self.v]}

    def restore(self, state: dict) -> None:
        self.step_count = int(state["step_count"])
        self.m = [np.array(a, dtype=float) for a in state["m"]]
        self.v = [np.array(a, dtype=float) for a in state["v"]]

"""LoRA fine-tuning of the bundled Gemma-3-270M on the IEAT corpus, on the CPU.

    python -m duplex_agent.training.train --out runs/ieat          # starts or resumes
    python -m duplex_agent.training.train --out runs/ieat --help

The base comes from its registry package (dequantised by transformers' GGUF loader), the
data from ``prompts/ieat/{train,dev}.jsonl``. The loss is on the target only (the thought
and the reply), and the 262k-word output layer is applied only where the loss is, which is
most of the saving on a CPU. A checkpoint (adapter, optimizer, schedule, random state, loss
log) is written every few steps, so a run stopped at any point resumes where it stopped;
with the same seed and data the batches come in the same order.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from duplex_agent.training.corpus import load, render

CORPUS = Path(__file__).resolve().parents[2] / "prompts" / "ieat"
IGNORE = -100


@dataclass(frozen=True)
class TrainConfig:
    rank: int = 16  # LoRA rank on every projection
    alpha: int = 32  # LoRA scale numerator (scale = alpha / rank)
    dropout: float = 0.05  # LoRA dropout
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                "up_proj", "down_proj")
    learning_rate: float = 3e-4  # peak, after warm-up; cosine decay to 10 % of it
    warmup_steps: int = 20
    epochs: float = 1.0  # passes over the training split (fractions allowed)
    batch_tokens: int = 2048  # padded tokens per step
    max_tokens: int = 448  # longer examples lose their oldest earlier turns
    seed: int = 7
    threads: int = 2
    checkpoint_every: int = 20  # steps
    dev_examples: int = 120  # dev loss on this many dev records, at every dev_every steps
    dev_every: int = 100


def tokenize_example(tokenizer, record: dict, max_tokens: int) -> tuple[list[int], list[int]]:
    """Input ids and labels (IGNORE on the prompt); the oldest earlier turns are dropped
    until the example fits."""
    record = dict(record)
    while True:
        prompt, target = render(record)
        prompt_ids = [tokenizer.bos_token_id] + tokenizer.encode(prompt, add_special_tokens=False)
        target_ids = tokenizer.encode(target, add_special_tokens=False)
        if len(prompt_ids) + len(target_ids) <= max_tokens or not record["history"]:
            ids = (prompt_ids + target_ids)[:max_tokens]
            labels = ([IGNORE] * len(prompt_ids) + target_ids)[:max_tokens]
            return ids, labels
        record["history"] = record["history"][1:]


def batches(lengths: list[int], batch_tokens: int, seed: int, epoch: int) -> list[list[int]]:
    """Length-bucketed batches of example indices (little padding), in a seeded order."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    result = []
    for start in range(0, len(order), 64):
        group = sorted(order[start:start + 64], key=lambda i: lengths[i])
        batch: list[int] = []
        for i in group:
            longest = max([lengths[j] for j in batch] + [lengths[i]])
            if batch and longest * (len(batch) + 1) > batch_tokens:
                result.append(batch)
                batch = []
            batch.append(i)
        if batch:
            result.append(batch)
    rng.shuffle(result)
    return result


class Trainer:
    def __init__(self, config: TrainConfig, out: Path) -> None:
        import torch

        torch.set_num_threads(config.threads)
        self.config, self.out = config, out
        self.torch = torch
        self.tokenizer, self.model = load_model(config)
        self.train = [tokenize_example(self.tokenizer, r, config.max_tokens)
                      for r in load([CORPUS / "train.jsonl"])]
        dev = load([CORPUS / "dev.jsonl"])[:config.dev_examples]
        self.dev = [tokenize_example(self.tokenizer, r, config.max_tokens) for r in dev]
        self.lengths = [len(ids) for ids, _ in self.train]
        self.steps_per_epoch = len(batches(self.lengths, config.batch_tokens, config.seed, 0))
        self.total_steps = math.ceil(self.steps_per_epoch * config.epochs)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        self.step = 0
        self.log: list[dict] = []

    def _lr_factor(self, step: int) -> float:
        if step < self.config.warmup_steps:
            return (step + 1) / self.config.warmup_steps
        progress = (step - self.config.warmup_steps) / max(1, self.total_steps -
                                                           self.config.warmup_steps)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    # --- the loss, where the targets are ------------------------------------------------

    def loss(self, examples: list[tuple[list[int], list[int]]]):
        torch = self.torch
        width = max(len(ids) for ids, _ in examples)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in examples])
        labels = torch.tensor([lab + [IGNORE] * (width - len(lab)) for _, lab in examples])
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in examples])
        causal = self.model.base_model.model  # Gemma3ForCausalLM with LoRA layers inside
        hidden = causal.model(input_ids=ids, attention_mask=mask).last_hidden_state
        targets = labels[:, 1:]
        where = targets != IGNORE
        logits = causal.lm_head(hidden[:, :-1][where])
        cap = getattr(causal.config, "final_logit_softcapping", None)
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return torch.nn.functional.cross_entropy(logits.float(), targets[where]), int(where.sum())

    # --- the run ------------------------------------------------------------------------

    def run(self) -> None:
        from tqdm import tqdm

        self.resume()
        bar = tqdm(total=self.total_steps, initial=self.step, unit="step", dynamic_ncols=True)
        while self.step < self.total_steps:
            epoch, index = divmod(self.step, self.steps_per_epoch)
            batch = batches(self.lengths, self.config.batch_tokens, self.config.seed,
                            epoch)[index]
            started = time.perf_counter()  # wall-clock ok: training speed report
            self.model.train()
            loss, targets = self.loss([self.train[i] for i in batch])
            loss.backward()
            self.torch.nn.utils.clip_grad_norm_(
                [p for p in self.model.parameters() if p.requires_grad], 1.0)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            seconds = time.perf_counter() - started  # wall-clock ok
            tokens = sum(len(self.train[i][0]) for i in batch)
            entry = {"step": self.step, "epoch": round(self.step / self.steps_per_epoch, 3),
                     "loss": round(loss.item(), 4), "tokens": tokens, "targets": targets,
                     "seconds": round(seconds, 2), "lr": self.scheduler.get_last_lr()[0]}
            if self.step % self.config.dev_every == 0 or self.step == self.total_steps:
                entry["dev_loss"] = round(self.dev_loss(), 4)
            self.log.append(entry)
            bar.set_postfix(loss=f"{entry['loss']:.3f}", tok_s=f"{tokens / seconds:.0f}",
                            dev=entry.get("dev_loss", ""))
            bar.update()
            if self.step % self.config.checkpoint_every == 0 or self.step == self.total_steps:
                self.save()
        bar.close()
        self.model.save_pretrained(self.out / "adapter")

    def dev_loss(self) -> float:
        self.model.eval()
        total = count = 0.0
        with self.torch.no_grad():
            for start in range(0, len(self.dev), 8):
                loss, n = self.loss(self.dev[start:start + 8])
                total, count = total + loss.item() * n, count + n
        return total / max(count, 1)

    def save(self) -> None:
        from peft import get_peft_model_state_dict

        state = {"step": self.step, "lora": get_peft_model_state_dict(self.model),
                 "optimizer": self.optimizer.state_dict(),
                 "scheduler": self.scheduler.state_dict(),
                 "rng": self.torch.get_rng_state(), "config": asdict(self.config)}
        self.out.mkdir(parents=True, exist_ok=True)
        tmp = self.out / "checkpoint.pt.tmp"
        self.torch.save(state, tmp)
        os.replace(tmp, self.out / "checkpoint.pt")
        (self.out / "log.jsonl").write_text("".join(json.dumps(e) + "\n" for e in self.log))

    def resume(self) -> None:
        from peft import set_peft_model_state_dict

        path = self.out / "checkpoint.pt"
        if not path.exists():
            return
        state = self.torch.load(path, weights_only=False)
        if state["config"] != json.loads(json.dumps(asdict(self.config))):
            raise SystemExit(f"{path} was made with other settings; use a new --out")
        set_peft_model_state_dict(self.model, state["lora"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.torch.set_rng_state(state["rng"])
        self.step = state["step"]
        log = self.out / "log.jsonl"
        if log.exists():
            self.log = [json.loads(line) for line in log.read_text().splitlines()
                        if line.strip() and json.loads(line)["step"] <= self.step]
        print(f"resuming at step {self.step} of {self.total_steps}")


def base_gguf() -> Path:
    from streaming.models import resolve

    return Path(resolve("llm-fewshot"))


def load_model(config: TrainConfig):
    """Tokenizer and the LoRA-wrapped base, dequantised from the registry GGUF."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(config.seed)
    gguf = base_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                 torch_dtype=torch.float32)
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                      target_modules=list(config.targets), task_type="CAUSAL_LM")
    return tokenizer, get_peft_model(model, lora)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m duplex_agent.training.train",
        description="LoRA-train Gemma-3-270M on the IEAT corpus (CPU; resumable: rerun the "
                    "same command to continue a stopped run).")
    parser.add_argument("--out", type=Path, required=True,
                        help="run directory: checkpoint.pt, log.jsonl, adapter/ at the end")
    parser.add_argument("--epochs", type=float, default=TrainConfig.epochs)
    parser.add_argument("--threads", type=int, default=TrainConfig.threads)
    args = parser.parse_args(argv)
    config = TrainConfig(epochs=args.epochs, threads=args.threads)
    Trainer(config, args.out).run()


if __name__ == "__main__":
    main()

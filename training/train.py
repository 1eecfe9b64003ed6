"""The training entry point: one linear loop, plain torch or DeepSpeed ZeRO.

    python -m training.train --config training/configs/cpu_smoke.yaml
    deepspeed --num_gpus 8 -m training.train --config training/configs/llemma_7b.yaml
    torchrun --nproc_per_node 2 -m training.train --config ...

One loop for both tasks: continued pretraining (`sources`: packed text) and supervised
fine-tuning (`sft`: prompt -> answer pairs in the prover's prompt format, loss on the answer
tokens only; `training.sft_data`), full or LoRA (`lora`, through peft).

Checkpoints are Hugging Face directories (safetensors + tokenizer + config, or a LoRA
adapter + tokenizer) that the prover loads as they are (`prover prove --model
runs/.../checkpoint-N`), plus the optimizer state, step and data position needed to resume
at the same step. SFT checkpoints carry `prover.json` (`prover.models.checkpoint`).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import math
import os
import resource
import shutil
import time
from pathlib import Path

import torch

from training.config import TrainConfig
from training.data import Batches
from training.model import build_model, flops_per_token, resolve_model


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warmup, then cosine decay to min_lr_ratio * lr."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return cfg.lr * (
        cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))
    )


def latest_checkpoint(out_dir: Path) -> Path | None:
    ckpts = sorted(out_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    return ckpts[-1] if ckpts else None


class LossModule(torch.nn.Module):
    """Mean cross-entropy over the labelled tokens (labels -100 are skipped).

    The output layer runs only on labelled positions (an SFT example's answer: a few dozen
    of its hundreds of tokens), not on every position: on SmolLM2's 49k-token vocabulary
    the full logits of one 8 x 500 micro-batch alone are 0.8 GB.

    With a shared `prefix` (one row, every example of the micro-batch starts with it), the
    model reads the prefix once, its key/value cache is repeated for each row, and the rows
    continue from it: the same attention and the same gradients as reading each full
    sequence, without reading the prefix B times. The loss is one module's forward so that
    DDP and DeepSpeed wrap a single call per micro-step. LoRA (peft) injects its adapters
    into the backbone's own layers, so calling the backbone runs them."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.backbone = getattr(base, base.base_model_prefix)
        self.head = base.get_output_embeddings()
        # transformers 5 names the cache argument `cache` (earlier: `past_key_values`)
        params = inspect.signature(self.backbone.forward).parameters
        self._cache_arg = "cache" if "cache" in params else "past_key_values"

    def forward(self, x, y, prefix=None):
        past = None
        if prefix is not None:
            out = self.backbone(input_ids=prefix, use_cache=True)
            past = getattr(out, "cache", None) or out.past_key_values
            past.batch_repeat_interleave(x.size(0))
        cache = {self._cache_arg: past} if past is not None else {}
        hidden = self.backbone(input_ids=x, use_cache=past is not None, **cache).last_hidden_state
        keep = y != -100
        logits = self.head(hidden[keep])
        return torch.nn.functional.cross_entropy(logits.float(), y[keep])


def train(cfg: TrainConfig, resume: bool = True) -> dict:
    from transformers import AutoTokenizer

    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    on_gpu = torch.cuda.is_available()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if on_gpu else "cpu")
    torch.manual_seed(cfg.seed)
    out_dir = Path(cfg.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    tokenizer_source = resolve_model(cfg.tokenizer or cfg.model)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    model, attn = build_model(cfg, on_gpu)
    step, position, tokens_seen = 0, 0, 0
    ckpt = latest_checkpoint(out_dir) if resume else None
    if ckpt is not None:
        state = torch.load(ckpt / "trainer_state.pt", weights_only=False)
        step, position = state["step"], state["data"]["position"]
        tokens_seen = state.get("tokens", 0)
        load_weights(model, ckpt)
    model.to(device)

    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trainable if p.dim() >= 2]
    no_decay = [p for n, p in trainable if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=cfg.betas,
        fused=on_gpu,
    )
    net = LossModule(model)
    engine = None
    ddp = False
    if cfg.deepspeed_config:
        import deepspeed

        deepspeed.init_distributed(dist_backend="nccl" if on_gpu else "gloo")
        ds = json.loads(Path(cfg.deepspeed_config).read_text())
        ds.update(
            {
                "train_micro_batch_size_per_gpu": cfg.micro_batch_size,
                "gradient_accumulation_steps": cfg.grad_accum,
                "gradient_clipping": cfg.grad_clip,
            }
        )
        engine, optimizer, _, _ = deepspeed.initialize(model=net, optimizer=optimizer, config=ds)
        rank, world = engine.global_rank, engine.world_size
    elif world > 1:
        torch.distributed.init_process_group("nccl" if on_gpu else "gloo")
        net = torch.nn.parallel.DistributedDataParallel(net)
        ddp = True
    if ckpt is not None:
        opt_state = torch.load(ckpt / f"optimizer-rank{rank}.pt", weights_only=False)
        (engine.optimizer if engine else optimizer).load_state_dict(opt_state)

    meta = None
    if cfg.task == "sft":
        batches, meta = _sft_batches(cfg, tokenizer_source, position, rank, world, out_dir)
    else:
        batches = Batches(
            cfg.sources,
            tokenizer,
            cfg.seq_len,
            cfg.micro_batch_size,
            cfg.seed,
            position,
            rank,
            world,
        )
    fpt = flops_per_token(model, cfg.seq_len)
    writer = _tensorboard(cfg, out_dir) if rank == 0 else None
    history: list[dict] = []
    module = engine if engine else net
    module.train()
    t_last, cpu_last = time.perf_counter(), time.process_time()
    tokens_window = 0
    if rank == 0:
        print(
            f"training ({cfg.task}{', LoRA' if cfg.lora else ''}) from step {step} (data position "
            f"{position}), attention {attn}, device {device}, world {world}",
            flush=True,
        )
    while step < cfg.max_steps:
        lr = lr_at(step, cfg)
        for group in (engine.optimizer if engine else optimizer).param_groups:
            group["lr"] = lr
        loss_sum = 0.0
        for micro in range(cfg.grad_accum):
            batch = batches.next()
            x, y, prefix = _tensors(batch, device)
            tokens_window += _tokens_read(x, y, prefix) * world
            # DDP: gradients are all-reduced only on the accumulation's last micro-step
            last = micro == cfg.grad_accum - 1
            sync = net.no_sync() if ddp and not last else contextlib.nullcontext()
            with (
                sync,
                torch.autocast(device.type, dtype=getattr(torch, cfg.dtype), enabled=on_gpu),
            ):
                loss = module(x, y, prefix)
                if engine:
                    engine.backward(loss)
                    engine.step()
                else:
                    (loss / cfg.grad_accum).backward()
            loss_sum += loss.item() / cfg.grad_accum
        if not engine:
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], cfg.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        step += 1
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            dt = time.perf_counter() - t_last
            t_last = time.perf_counter()
            cpu_now = time.process_time()
            tps = tokens_window / dt
            tokens_in_window = tokens_window
            tokens_seen += tokens_window
            tokens_window = 0
            record = {
                "step": step,
                "loss": round(loss_sum, 4),
                "lr": lr,
                "tokens_per_s": round(tps, 1),
                "mfu": tps * fpt / (cfg.peak_flops * world),
                "tokens": tokens_seen,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                # on a shared machine: tokens per second of this process's own CPU time
                "tokens_per_cpu_s": round(tokens_in_window / max(cpu_now - cpu_last, 1e-9), 1),
            }
            cpu_last = cpu_now
            history.append(record)
            if rank == 0:
                print(json.dumps(record), flush=True)
                if writer:
                    for k in ("loss", "lr", "tokens_per_s", "mfu"):
                        writer.add_scalar(f"train/{k}", record[k], step)
        if step % cfg.save_every == 0 or step == cfg.max_steps:
            tokens_seen += tokens_window
            tokens_window = 0
            save_checkpoint(
                model,
                tokenizer,
                engine.optimizer if engine else optimizer,
                step,
                batches,
                cfg,
                out_dir,
                rank,
                meta=meta,
                tokens=tokens_seen,
            )
    if writer:
        writer.close()
    last = latest_checkpoint(out_dir)
    return {
        "step": step,
        "history": history,
        "out_dir": str(out_dir),
        "checkpoint": str(last) if last else None,
        "tokens": tokens_seen,
    }


def _tensors(batch, device):
    if isinstance(batch, tuple):  # pretraining: packed (inputs, shifted labels)
        x, y = batch
        return x.to(device), y.to(device), None
    prefix = batch.prefix.to(device) if batch.prefix is not None else None
    return batch.x.to(device), batch.y.to(device), prefix


def _tokens_read(x, y, prefix) -> int:
    """Tokens the model read this micro-step: the shared prefix once, each row to its last label."""
    if prefix is None and (y != -100).all():
        return x.numel()
    rows = int(sum(int((row != -100).nonzero().max()) + 1 for row in y if (row != -100).any()))
    return rows + (prefix.size(1) if prefix is not None else 0)


def _sft_batches(
    cfg: TrainConfig, tokenizer_source: str, position: int, rank: int, world: int, out_dir: Path
):
    """The SFT examples (rendered, checked against miniF2F test, tokenized), the batches, and
    the checkpoint metadata; PROVENANCE.json beside the run says where every pair came from."""
    from prover.models import wraps_prompts
    from prover.models.chat import ChatPrompts, ChatTemplate
    from prover.models.checkpoint import template_digest
    from training.hygiene import TestSet
    from training.sft_data import (
        TACTIC_TEMPLATE,
        WHOLE_TEMPLATE,
        DataReport,
        Encoder,
        SFTBatches,
        examples,
        fingerprint,
        pairs,
        tactics_file,
    )

    wrap = wraps_prompts(cfg.model)
    template = ChatTemplate.from_dir(Path(tokenizer_source))
    chat = ChatPrompts(None, template, wrap_prompts=wrap) if template else None
    test = TestSet.load()
    encoder = Encoder(Path(tokenizer_source) / "tokenizer.json")
    # The examples are cached beside the run, keyed by everything they depend on, so a run
    # resumed in another sitting does not render and tokenize its corpus again (minutes).
    files = [tactics_file(s.path) if s.kind == "tactics" else Path(s.path) for s in cfg.sft]
    key = json.dumps(
        {
            "sources": [
                [s.kind, s.limit, s.weight, fingerprint(f)]
                for s, f in zip(cfg.sft, files, strict=True)
            ],
            "tokenizer": fingerprint(Path(tokenizer_source) / "tokenizer.json"),
            "templates": [template_digest(TACTIC_TEMPLATE), template_digest(WHOLE_TEMPLATE)],
            "wrap": wrap,
            "seq_len": cfg.seq_len,
            "test": sorted(test.statements),
        },
        sort_keys=True,
    )
    cache = out_dir / "examples.pt"
    cached = torch.load(cache, weights_only=False) if cache.exists() else None
    if cached is not None and cached["key"] == key:
        data, report = cached["examples"], DataReport(cached["report"])
    else:
        report = DataReport()
        kept = pairs(cfg.sft, chat, report, exclude=test)
        data = examples(kept, encoder, cfg.seq_len, report)
        if rank == 0:
            torch.save({"key": key, "examples": data, "report": report.sources}, cache)
    pad = encoder.tokenizer.token_to_id("<|endoftext|>") or 0
    batches = SFTBatches(data, cfg.micro_batch_size, cfg.seed, position, rank, world, pad)
    kinds = {s.kind for s in cfg.sft}
    templates = [TACTIC_TEMPLATE] * ("tactics" in kinds) + [WHOLE_TEMPLATE] * ("proofs" in kinds)
    meta = {
        "base": cfg.model,
        "task": "sft",
        "lora": cfg.lora is not None,
        "wrap_prompts": wrap,
        "templates": {t: template_digest(t) for t in templates},
    }
    if rank == 0:
        sources = []
        for s, f in zip(cfg.sft, files, strict=True):
            sources.append(
                {
                    "name": s.name,
                    "kind": s.kind,
                    "path": s.path,
                    "sha256_16": fingerprint(f),
                    "limit": s.limit,
                    "weight": s.weight,
                    **report.sources.get(s.name, {}),
                }
            )
        provenance = {
            "what": "SFT examples of this run (rendered from the sources at training time)",
            "sources": sources,
            "examples": len(data),
            "minif2f_test_exclusion": {
                **test.summary(),
                "excluded": sum(v.get("excluded_minif2f_test", 0) for v in report.sources.values()),
            },
            "prompt": meta,
            "config": {k: v for k, v in cfg.to_dict().items() if k != "sft"},
            "batches_per_epoch": batches.batches_per_epoch(),
        }
        (out_dir / "PROVENANCE.json").write_text(
            json.dumps(provenance, indent=2, default=str) + "\n"
        )
        print(
            f"sft data: {len(data)} examples, {batches.batches_per_epoch()} micro-batch group(s) "
            f"per epoch, {provenance['minif2f_test_exclusion']['excluded']} excluded as miniF2F test",
            flush=True,
        )
    return batches, meta


def load_weights(model, ckpt: Path) -> None:
    """Resume a checkpoint's weights strictly: every key must match.

    A full model's file may lack a tied weight (save_pretrained writes tied embeddings once):
    that key is allowed missing only when it shares storage with a key the file has. A LoRA
    adapter's file must hold every adapter weight of the model and nothing else."""
    from safetensors.torch import load_file

    if (ckpt / "adapter_model.safetensors").exists():
        from peft import set_peft_model_state_dict

        weights = load_file(ckpt / "adapter_model.safetensors")
        result = set_peft_model_state_dict(model, weights)
        missing = [k for k in result.missing_keys if "lora_" in k]
        if result.unexpected_keys or missing:
            raise RuntimeError(
                f"{ckpt}: adapter does not match the model (missing {missing[:3]}, "
                f"unexpected {list(result.unexpected_keys)[:3]})"
            )
        return
    weights = load_file(ckpt / "model.safetensors")
    own = model.state_dict()
    present = {own[k].data_ptr() for k in weights if k in own}
    missing = [k for k in own if k not in weights and own[k].data_ptr() not in present]
    unexpected = [k for k in weights if k not in own]
    if missing or unexpected:
        raise RuntimeError(
            f"{ckpt}: weights do not match the model (missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    tied = {k: own[k] for k in own if k not in weights}
    model.load_state_dict({**weights, **tied}, strict=True)


def save_checkpoint(
    model,
    tokenizer,
    optimizer,
    step: int,
    batches,
    cfg: TrainConfig,
    out_dir: Path,
    rank: int,
    meta: dict | None = None,
    tokens: int = 0,
) -> Path:
    """An HF directory (or LoRA adapter) the prover can load, plus what resuming needs;
    written atomically by rank 0."""
    final = out_dir / f"checkpoint-{step}"
    torch.save(optimizer.state_dict(), out_dir / f".optimizer-rank{rank}-{step}.pt")
    if rank == 0:
        tmp = out_dir / f".tmp-checkpoint-{step}"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        torch.save(
            {"step": step, "data": batches.state_dict(), "config": cfg.to_dict(), "tokens": tokens},
            tmp / "trainer_state.pt",
        )
        if meta is not None:
            from prover.models.checkpoint import write_meta

            write_meta(tmp, {**meta, "step": step})
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()
    (out_dir / f".optimizer-rank{rank}-{step}.pt").rename(final / f"optimizer-rank{rank}.pt")
    if rank == 0 and cfg.keep_checkpoints:
        ckpts = sorted(out_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
        for old in ckpts[: -cfg.keep_checkpoints]:
            shutil.rmtree(old, ignore_errors=True)
    return final


def _tensorboard(cfg: TrainConfig, out_dir: Path):
    if not cfg.tensorboard:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(out_dir / "tensorboard"))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--config", required=True)
    ap.add_argument("--out-dir")
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--no-resume", action="store_true")
    ap.add_argument(
        "--local_rank", type=int, default=None, help=argparse.SUPPRESS
    )  # set by the deepspeed launcher
    args = ap.parse_args()
    cfg = TrainConfig.load(args.config, out_dir=args.out_dir, max_steps=args.max_steps)
    train(cfg, resume=not args.no_resume)


if __name__ == "__main__":
    main()

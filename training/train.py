"""The training entry point: one linear loop, plain torch or DeepSpeed ZeRO.

    python -m training.train --config training/configs/cpu_smoke.yaml
    deepspeed --num_gpus 8 -m training.train --config training/configs/llemma_7b.yaml
    torchrun --nproc_per_node 2 -m training.train --config ...

Checkpoints are Hugging Face directories (safetensors + tokenizer + config) that the prover
loads as they are (`prover eval --model runs/.../checkpoint-N`), plus the optimizer,
scheduler and data position needed to resume at the same step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import time
from pathlib import Path

import torch

from training.config import TrainConfig
from training.data import Batches
from training.model import build_model, flops_per_token


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


def train(cfg: TrainConfig, resume: bool = True) -> dict:
    from transformers import AutoTokenizer

    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    on_gpu = torch.cuda.is_available()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if on_gpu else "cpu")
    torch.manual_seed(cfg.seed)
    out_dir = Path(cfg.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    tokenizer = AutoTokenizer.from_pretrained(cfg.tokenizer or cfg.model)
    model, attn = build_model(cfg, on_gpu)
    step, position = 0, 0
    ckpt = latest_checkpoint(out_dir) if resume else None
    if ckpt is not None:
        state = torch.load(ckpt / "trainer_state.pt", weights_only=False)
        step, position = state["step"], state["data"]["position"]
        from safetensors.torch import load_file

        model.load_state_dict(load_file(ckpt / "model.safetensors"), strict=False)
    model.to(device)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=cfg.betas,
        fused=on_gpu,
    )
    engine = None
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
        engine, optimizer, _, _ = deepspeed.initialize(model=model, optimizer=optimizer, config=ds)
        rank, world = engine.global_rank, engine.world_size
    elif world > 1:
        torch.distributed.init_process_group("nccl" if on_gpu else "gloo")
        model = torch.nn.parallel.DistributedDataParallel(model)
    if ckpt is not None:
        opt_state = torch.load(ckpt / f"optimizer-rank{rank}.pt", weights_only=False)
        (engine.optimizer if engine else optimizer).load_state_dict(opt_state)

    batches = Batches(
        cfg.sources, tokenizer, cfg.seq_len, cfg.micro_batch_size, cfg.seed, position, rank, world
    )
    fpt = flops_per_token(model.module if hasattr(model, "module") else model, cfg.seq_len)
    writer = _tensorboard(cfg, out_dir) if rank == 0 else None
    tokens_per_step = cfg.micro_batch_size * cfg.seq_len * cfg.grad_accum * world
    history: list[dict] = []
    module = engine if engine else model
    module.train()
    t_last = time.perf_counter()
    if rank == 0:
        print(
            f"training from step {step} (data position {position}), attention {attn}, device {device}, world {world}",
            flush=True,
        )
    while step < cfg.max_steps:
        lr = lr_at(step, cfg)
        for group in (engine.optimizer if engine else optimizer).param_groups:
            group["lr"] = lr
        loss_sum = 0.0
        for _ in range(cfg.grad_accum):
            x, y = batches.next()
            x, y = x.to(device), y.to(device)
            with torch.autocast(device.type, dtype=getattr(torch, cfg.dtype), enabled=on_gpu):
                logits = module(input_ids=x).logits
                loss = torch.nn.functional.cross_entropy(
                    logits.float().reshape(-1, logits.size(-1)), y.reshape(-1)
                )
            if engine:
                engine.backward(loss)
                engine.step()
            else:
                (loss / cfg.grad_accum).backward()
            loss_sum += loss.item() / cfg.grad_accum
        if not engine:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        step += 1
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            dt = time.perf_counter() - t_last
            t_last = time.perf_counter()
            tps = (
                tokens_per_step * cfg.log_every / dt
                if step % cfg.log_every == 0
                else tokens_per_step / dt
            )
            mfu = tps * fpt / (cfg.peak_flops * world)
            record = {
                "step": step,
                "loss": round(loss_sum, 4),
                "lr": lr,
                "tokens_per_s": round(tps, 1),
                "mfu": mfu,
            }
            history.append(record)
            if rank == 0:
                print(json.dumps(record), flush=True)
                if writer:
                    for k in ("loss", "lr", "tokens_per_s", "mfu"):
                        writer.add_scalar(f"train/{k}", record[k], step)
        if step % cfg.save_every == 0 or step == cfg.max_steps:
            save_checkpoint(
                model.module if hasattr(model, "module") else model,
                tokenizer,
                engine.optimizer if engine else optimizer,
                step,
                batches,
                cfg,
                out_dir,
                rank,
            )
    if writer:
        writer.close()
    return {"step": step, "history": history, "out_dir": str(out_dir)}


def save_checkpoint(
    model,
    tokenizer,
    optimizer,
    step: int,
    batches: Batches,
    cfg: TrainConfig,
    out_dir: Path,
    rank: int,
) -> Path:
    """An HF directory the prover can load, plus what resuming needs; written atomically by rank 0."""
    final = out_dir / f"checkpoint-{step}"
    torch.save(optimizer.state_dict(), out_dir / f".optimizer-rank{rank}-{step}.pt")
    if rank == 0:
        tmp = out_dir / f".tmp-checkpoint-{step}"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        torch.save(
            {"step": step, "data": batches.state_dict(), "config": cfg.to_dict()},
            tmp / "trainer_state.pt",
        )
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.barrier()
    (out_dir / f".optimizer-rank{rank}-{step}.pt").rename(final / f"optimizer-rank{rank}.pt")
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

"""HalfCheetah case: Gymnasium HalfCheetah-v5 (MuJoCo) against MJX and Brax."""

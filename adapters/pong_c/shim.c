/* equivcheck's C shim around PufferLib's own pong.h (2.0.2).

pong.h is never copied into this repository: the build compiles this file with -I pointing at
the pong.h extracted from the pufferlib wheel in equivcheck's cache. The shim only adds what a
differential tester needs and pong.h lacks: a handle holding N environments with their
buffers (laid out as CyPong lays them out), explicit glibc rand() streams, and get/set of every
field of the Pong struct (restore, inject mode, constructed states).

Symbols: the library is built with -fvisibility=hidden, so pong.h's `init`, `reset` and `step`
never leave it (glibc exports an obsolete `step`, which is what makes the shipped Cython module
silently do nothing when loaded naively). Only the eqc_pong_* functions below are exported.

Randomness: pong.h calls the real glibc rand(). Each handle owns glibc state buffers (one
shared by all environments, as in CyPong, or one per environment) and switches glibc onto them
with setstate() for the duration of a call, switching back afterwards. The draws are glibc's
own; the buffers make the generator's state readable and writable (slot 0 holds
5 * rear_index + TYPE_3 once glibc has switched away from the buffer; slots 1..31 the table).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <math.h>

#define init eqc_pong_h_init
#define allocate eqc_pong_h_allocate
#define free_allocated eqc_pong_h_free_allocated
#define compute_observations eqc_pong_h_compute_observations
#define reset_round eqc_pong_h_reset_round
#define reset eqc_pong_h_reset
#define step eqc_pong_h_step
#define make_client eqc_pong_h_make_client
#define close_client eqc_pong_h_close_client
#define render eqc_pong_h_render
#include "pong.h"
#undef init
#undef allocate
#undef free_allocated
#undef compute_observations
#undef reset_round
#undef reset
#undef step
#undef make_client
#undef close_client
#undef render

#define EQC_EXPORT __attribute__((visibility("default")))
#define EQC_ABI_VERSION 1
#define EQC_RNG_WORDS 32 /* 128 bytes: glibc TYPE_3, degree 31, separation 3 */
#define EQC_GLIBC_MAX_TYPES 5
#define EQC_GLIBC_TYPE_3 3

typedef struct EqcPongFields {
    float paddle_yl;
    float paddle_yr;
    float ball_x;
    float ball_y;
    float ball_vx;
    float ball_vy;
    unsigned int score_l;
    unsigned int score_r;
    float width;
    float height;
    float paddle_width;
    float paddle_height;
    float ball_width;
    float ball_height;
    float paddle_speed;
    float ball_initial_speed_x;
    float ball_initial_speed_y;
    float ball_max_speed_y;
    float ball_speed_y_increment;
    unsigned int max_score;
    float min_paddle_y;
    float max_paddle_y;
    float paddle_dir;
    int tick;
    int n_bounces;
    int win;
    int frameskip;
    float log_episode_return;
    float log_episode_length;
    float log_score;
    float obs[8];
    float reward;
    unsigned char terminal;
    int32_t rng_rptr;
    uint32_t rng_table[31];
} EqcPongFields;

typedef struct EqcPong {
    int n;
    int per_env_rng;
    Pong *envs;
    float *observations;
    int *actions;
    float *rewards;
    unsigned char *terminals;
    LogBuffer *logs;
    int32_t *rng; /* (per_env_rng ? n : 1) buffers of EQC_RNG_WORDS */
} EqcPong;

static int32_t *eqc_rng_buf(EqcPong *h, int i) {
    return h->rng + (size_t)(h->per_env_rng ? i : 0) * EQC_RNG_WORDS;
}

/* Switch glibc onto `buf`; returns the state to hand back to eqc_rng_leave. */
static char *eqc_rng_enter(int32_t *buf) { return setstate((char *)buf); }

/* Switch glibc back; this also stores the buffer's rear index in its slot 0. */
static void eqc_rng_leave(char *previous) { setstate(previous); }

static void eqc_rng_seed(int32_t *buf, unsigned int seed) {
    buf[0] = EQC_GLIBC_TYPE_3; /* rear index 0, TYPE_3: a valid state for setstate */
    char *previous = eqc_rng_enter(buf);
    srand(seed);
    eqc_rng_leave(previous);
}

EQC_EXPORT int eqc_pong_abi_version(void) { return EQC_ABI_VERSION; }

EQC_EXPORT int eqc_pong_fields_size(void) { return (int)sizeof(EqcPongFields); }

EQC_EXPORT int eqc_pong_struct_size(void) { return (int)sizeof(Pong); }

/* params: width, height, paddle_width, paddle_height, ball_width, ball_height, paddle_speed,
   ball_initial_speed_x, ball_initial_speed_y, ball_max_speed_y, ball_speed_y_increment. */
EQC_EXPORT EqcPong *eqc_pong_create(int n, const float *params, unsigned int max_score,
                                    int frameskip, int per_env_rng) {
    if (n <= 0) {
        return NULL;
    }
    EqcPong *h = (EqcPong *)calloc(1, sizeof(EqcPong));
    h->n = n;
    h->per_env_rng = per_env_rng ? 1 : 0;
    h->envs = (Pong *)calloc((size_t)n, sizeof(Pong));
    h->observations = (float *)calloc((size_t)n * 8, sizeof(float));
    h->actions = (int *)calloc((size_t)n, sizeof(int));
    h->rewards = (float *)calloc((size_t)n, sizeof(float));
    h->terminals = (unsigned char *)calloc((size_t)n, sizeof(unsigned char));
    h->logs = allocate_logbuffer(LOG_BUFFER_SIZE);
    int n_rng = h->per_env_rng ? n : 1;
    h->rng = (int32_t *)calloc((size_t)n_rng * EQC_RNG_WORDS, sizeof(int32_t));
    for (int r = 0; r < n_rng; r++) {
        eqc_rng_seed(h->rng + (size_t)r * EQC_RNG_WORDS, 1u);
    }
    for (int i = 0; i < n; i++) {
        Pong *env = &h->envs[i];
        env->observations = &h->observations[(size_t)i * 8];
        env->actions = &h->actions[i];
        env->rewards = &h->rewards[i];
        env->terminals = &h->terminals[i];
        env->log_buffer = h->logs;
        env->width = params[0];
        env->height = params[1];
        env->paddle_width = params[2];
        env->paddle_height = params[3];
        env->ball_width = params[4];
        env->ball_height = params[5];
        env->paddle_speed = params[6];
        env->ball_initial_speed_x = params[7];
        env->ball_initial_speed_y = params[8];
        env->ball_max_speed_y = params[9];
        env->ball_speed_y_increment = params[10];
        env->max_score = max_score;
        env->frameskip = frameskip;
        eqc_pong_h_init(env);
    }
    return h;
}

EQC_EXPORT void eqc_pong_destroy(EqcPong *h) {
    if (h == NULL) {
        return;
    }
    free(h->envs);
    free(h->observations);
    free(h->actions);
    free(h->rewards);
    free(h->terminals);
    free_logbuffer(h->logs);
    free(h->rng);
    free(h);
}

EQC_EXPORT float *eqc_pong_observations(EqcPong *h) { return h->observations; }
EQC_EXPORT int *eqc_pong_actions(EqcPong *h) { return h->actions; }
EQC_EXPORT float *eqc_pong_rewards(EqcPong *h) { return h->rewards; }
EQC_EXPORT unsigned char *eqc_pong_terminals(EqcPong *h) { return h->terminals; }

/* srand(seed) on environment i's stream (the shared stream when streams are shared). */
EQC_EXPORT void eqc_pong_srand(EqcPong *h, int i, unsigned int seed) {
    eqc_rng_seed(eqc_rng_buf(h, i), seed);
}

/* One rand() from environment i's stream. */
EQC_EXPORT int eqc_pong_rand(EqcPong *h, int i) {
    char *previous = eqc_rng_enter(eqc_rng_buf(h, i));
    int value = rand();
    eqc_rng_leave(previous);
    return value;
}

/* pong.h's init(): tick, n_bounces, win, paddle_dir, min/max paddle y. i < 0: all. */
EQC_EXPORT void eqc_pong_init(EqcPong *h, int i) {
    for (int k = 0; k < h->n; k++) {
        if (i < 0 || k == i) {
            eqc_pong_h_init(&h->envs[k]);
        }
    }
}

/* pong.h's reset() on environment i, or on all in order (as CyPong.reset) when i < 0. */
EQC_EXPORT void eqc_pong_reset(EqcPong *h, int i) {
    char *previous = eqc_rng_enter(eqc_rng_buf(h, i < 0 ? 0 : i));
    for (int k = 0; k < h->n; k++) {
        if (i < 0 || k == i) {
            if (h->per_env_rng) {
                setstate((char *)eqc_rng_buf(h, k));
            }
            eqc_pong_h_reset(&h->envs[k]);
        }
    }
    eqc_rng_leave(previous);
}

/* Copy `actions` (n ints; NULL keeps the action buffer) and run pong.h's step() on every env. */
EQC_EXPORT void eqc_pong_step(EqcPong *h, const int *actions) {
    if (actions != NULL) {
        memcpy(h->actions, actions, (size_t)h->n * sizeof(int));
    }
    char *previous = eqc_rng_enter(eqc_rng_buf(h, 0));
    for (int k = 0; k < h->n; k++) {
        if (h->per_env_rng) {
            setstate((char *)eqc_rng_buf(h, k));
        }
        eqc_pong_h_step(&h->envs[k]);
    }
    eqc_rng_leave(previous);
}

/* Steps every env `n_steps` times, actions[t * n + k] for env k at step t (benchmarks). */
EQC_EXPORT void eqc_pong_step_many(EqcPong *h, const int *actions, int n_steps) {
    for (int t = 0; t < n_steps; t++) {
        eqc_pong_step(h, actions + (size_t)t * h->n);
    }
}

/* pong.h's compute_observations() on environment i. */
EQC_EXPORT void eqc_pong_compute_observations(EqcPong *h, int i) {
    eqc_pong_h_compute_observations(&h->envs[i]);
}

/* pong.h's reset_round() on environment i (draws one rand()). */
EQC_EXPORT void eqc_pong_reset_round(EqcPong *h, int i) {
    char *previous = eqc_rng_enter(eqc_rng_buf(h, i));
    eqc_pong_h_reset_round(&h->envs[i]);
    eqc_rng_leave(previous);
}

EQC_EXPORT void eqc_pong_get(EqcPong *h, int i, EqcPongFields *out) {
    const Pong *env = &h->envs[i];
    memset(out, 0, sizeof(*out));
    out->paddle_yl = env->paddle_yl;
    out->paddle_yr = env->paddle_yr;
    out->ball_x = env->ball_x;
    out->ball_y = env->ball_y;
    out->ball_vx = env->ball_vx;
    out->ball_vy = env->ball_vy;
    out->score_l = env->score_l;
    out->score_r = env->score_r;
    out->width = env->width;
    out->height = env->height;
    out->paddle_width = env->paddle_width;
    out->paddle_height = env->paddle_height;
    out->ball_width = env->ball_width;
    out->ball_height = env->ball_height;
    out->paddle_speed = env->paddle_speed;
    out->ball_initial_speed_x = env->ball_initial_speed_x;
    out->ball_initial_speed_y = env->ball_initial_speed_y;
    out->ball_max_speed_y = env->ball_max_speed_y;
    out->ball_speed_y_increment = env->ball_speed_y_increment;
    out->max_score = env->max_score;
    out->min_paddle_y = env->min_paddle_y;
    out->max_paddle_y = env->max_paddle_y;
    out->paddle_dir = env->paddle_dir;
    out->tick = env->tick;
    out->n_bounces = env->n_bounces;
    out->win = env->win;
    out->frameskip = env->frameskip;
    out->log_episode_return = env->log.episode_return;
    out->log_episode_length = env->log.episode_length;
    out->log_score = env->log.score;
    memcpy(out->obs, env->observations, sizeof(out->obs));
    out->reward = env->rewards[0];
    out->terminal = env->terminals[0];
    const int32_t *buf = eqc_rng_buf(h, i);
    out->rng_rptr = buf[0] / EQC_GLIBC_MAX_TYPES;
    memcpy(out->rng_table, buf + 1, sizeof(out->rng_table));
}

EQC_EXPORT void eqc_pong_set(EqcPong *h, int i, const EqcPongFields *in) {
    Pong *env = &h->envs[i];
    env->paddle_yl = in->paddle_yl;
    env->paddle_yr = in->paddle_yr;
    env->ball_x = in->ball_x;
    env->ball_y = in->ball_y;
    env->ball_vx = in->ball_vx;
    env->ball_vy = in->ball_vy;
    env->score_l = in->score_l;
    env->score_r = in->score_r;
    env->width = in->width;
    env->height = in->height;
    env->paddle_width = in->paddle_width;
    env->paddle_height = in->paddle_height;
    env->ball_width = in->ball_width;
    env->ball_height = in->ball_height;
    env->paddle_speed = in->paddle_speed;
    env->ball_initial_speed_x = in->ball_initial_speed_x;
    env->ball_initial_speed_y = in->ball_initial_speed_y;
    env->ball_max_speed_y = in->ball_max_speed_y;
    env->ball_speed_y_increment = in->ball_speed_y_increment;
    env->max_score = in->max_score;
    env->min_paddle_y = in->min_paddle_y;
    env->max_paddle_y = in->max_paddle_y;
    env->paddle_dir = in->paddle_dir;
    env->tick = in->tick;
    env->n_bounces = in->n_bounces;
    env->win = in->win;
    env->frameskip = in->frameskip;
    env->log.episode_return = in->log_episode_return;
    env->log.episode_length = in->log_episode_length;
    env->log.score = in->log_score;
    memcpy(env->observations, in->obs, sizeof(in->obs));
    env->rewards[0] = in->reward;
    env->terminals[0] = in->terminal;
    int32_t *buf = eqc_rng_buf(h, i);
    int rear = ((in->rng_rptr % 31) + 31) % 31;
    buf[0] = EQC_GLIBC_MAX_TYPES * rear + EQC_GLIBC_TYPE_3;
    memcpy(buf + 1, in->rng_table, sizeof(in->rng_table));
}

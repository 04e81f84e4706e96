/* Headless stand-in for raylib.h, written for equivcheck (not raylib's header).

pong.h includes "raylib.h" for its optional renderer; the shim never renders, so these
types and no-op functions only let pong.h compile. Everything here is static: nothing is
exported from the built library.
*/
#ifndef EQC_RAYLIB_STUB_H
#define EQC_RAYLIB_STUB_H

typedef struct Color { unsigned char r, g, b, a; } Color;
typedef struct Vector2 { float x, y; } Vector2;
typedef struct Rectangle { float x, y, width, height; } Rectangle;
typedef struct Texture2D { unsigned int id; int width, height, mipmaps, format; } Texture2D;

#define WHITE ((Color){255, 255, 255, 255})
#define KEY_ESCAPE 256

static inline void InitWindow(int w, int h, const char *title) { (void)w; (void)h; (void)title; }
static inline void CloseWindow(void) {}
static inline void SetTargetFPS(int fps) { (void)fps; }
static inline Texture2D LoadTexture(const char *path) { (void)path; return (Texture2D){0, 0, 0, 0, 0}; }
static inline int IsKeyDown(int key) { (void)key; return 0; }
static inline void BeginDrawing(void) {}
static inline void EndDrawing(void) {}
static inline void ClearBackground(Color c) { (void)c; }
static inline void DrawRectangle(int x, int y, int w, int h, Color c) { (void)x; (void)y; (void)w; (void)h; (void)c; }
static inline void DrawTexturePro(Texture2D t, Rectangle s, Rectangle d, Vector2 o, float r, Color c) {
    (void)t; (void)s; (void)d; (void)o; (void)r; (void)c;
}
static inline const char *TextFormat(const char *fmt, ...) { return fmt; }
static inline int MeasureText(const char *text, int size) { (void)text; (void)size; return 0; }
static inline void DrawText(const char *text, int x, int y, int size, Color c) {
    (void)text; (void)x; (void)y; (void)size; (void)c;
}

#endif

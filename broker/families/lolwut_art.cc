#include "broker/families/lolwut_art.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace drayman::lolwut {

namespace {

// A grid of small colour numbers; reads and writes outside it are ignored (read as 0).
class Canvas {
 public:
  Canvas(int width, int height, int background)
      : width_(width),
        height_(height),
        pixels_(static_cast<size_t>(width) * static_cast<size_t>(height),
                static_cast<uint8_t>(background)) {}

  int width() const { return width_; }
  int height() const { return height_; }

  void Set(int x, int y, int color) {
    if (x < 0 || x >= width_ || y < 0 || y >= height_) return;
    pixels_[static_cast<size_t>(x) + static_cast<size_t>(y) * width_] = static_cast<uint8_t>(color);
  }
  int Get(int x, int y) const {
    if (x < 0 || x >= width_ || y < 0 || y >= height_) return 0;
    return pixels_[static_cast<size_t>(x) + static_cast<size_t>(y) * width_];
  }

  // Bresenham, as lwDrawLine.
  void Line(int x1, int y1, int x2, int y2, int color) {
    const int dx = std::abs(x2 - x1);
    const int dy = std::abs(y2 - y1);
    const int sx = x1 < x2 ? 1 : -1;
    const int sy = y1 < y2 ? 1 : -1;
    int err = dx - dy;
    while (true) {
      Set(x1, y1, color);
      if (x1 == x2 && y1 == y2) break;
      const int e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  // A square centred on x,y, rotated by `angle`, as lwDrawSquare: the corners lie on a circle,
  // computed in double from float inputs exactly as the C expressions promote them.
  void Square(int x, int y, float size, float angle, int color) {
    int px[4], py[4];
    size = static_cast<float>(static_cast<double>(size) / 1.4142135623);
    size = static_cast<float>(std::round(static_cast<double>(size)));
    float k = static_cast<float>(M_PI / 4 + static_cast<double>(angle));
    for (int j = 0; j < 4; ++j) {
      px[j] = static_cast<int>(
          std::round(std::sin(static_cast<double>(k)) * static_cast<double>(size) + x));
      py[j] = static_cast<int>(
          std::round(std::cos(static_cast<double>(k)) * static_cast<double>(size) + y));
      k = static_cast<float>(static_cast<double>(k) + M_PI / 2);
    }
    for (int j = 0; j < 4; ++j) Line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
  }

 private:
  int width_;
  int height_;
  std::vector<uint8_t> pixels_;
};

int64_t Clamp(int64_t value, int64_t low, int64_t high) { return std::clamp(value, low, high); }

// Braille rendering (lolwut5.c): each character is a 2x4 block of pixels, dots numbered
// 0 3 / 1 4 / 2 5 / 6 7, encoded as U+2800 + bits in three UTF-8 bytes.
std::string RenderBraille(const Canvas& canvas) {
  std::string text;
  for (int y = 0; y < canvas.height(); y += 4) {
    for (int x = 0; x < canvas.width(); x += 2) {
      int byte = 0;
      if (canvas.Get(x, y)) byte |= 1 << 0;
      if (canvas.Get(x, y + 1)) byte |= 1 << 1;
      if (canvas.Get(x, y + 2)) byte |= 1 << 2;
      if (canvas.Get(x + 1, y)) byte |= 1 << 3;
      if (canvas.Get(x + 1, y + 1)) byte |= 1 << 4;
      if (canvas.Get(x + 1, y + 2)) byte |= 1 << 5;
      if (canvas.Get(x, y + 3)) byte |= 1 << 6;
      if (canvas.Get(x + 1, y + 3)) byte |= 1 << 7;
      const int code = 0x2800 + byte;
      text.push_back(static_cast<char>(0xE0 | (code >> 12)));
      text.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      text.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
    if (y != canvas.height() - 1) text.push_back('\n');
  }
  return text;
}

// Terminal rendering (lolwut6.c): one space per pixel, coloured by one of four grays.
std::string RenderGrays(const Canvas& canvas) {
  std::string text;
  for (int y = 0; y < canvas.height(); ++y) {
    for (int x = 0; x < canvas.width(); ++x) {
      std::string_view escape;
      switch (canvas.Get(x, y)) {
        case 1:
          escape = "0;90;100m";
          break;
        case 2:
          escape = "0;37;47m";
          break;
        case 3:
          escape = "0;97;107m";
          break;
        default:
          escape = "0;30;40m";
          break;
      }
      text.append("\033[");
      text.append(escape);
      text.append(" \033[0m");
    }
    if (y != canvas.height() - 1) text.push_back('\n');
  }
  return text;
}

struct Skyscraper {
  int xoff;
  int width;
  int height;
  bool windows;
  int color;
};

// lolwut6.c's generateSkyscraper: a block on the bottom row with a roof two pixels narrower on
// each side; windows two pixels wide, one tall, of a random gray.
void DrawSkyscraper(Canvas& canvas, const Skyscraper& si, const RandomFn& rand) {
  const int starty = canvas.height() - 1;
  const int endy = starty - si.height + 1;
  for (int y = starty; y >= endy; --y) {
    for (int x = si.xoff; x < si.xoff + si.width; ++x) {
      if (y == endy && (x <= si.xoff + 1 || x >= si.xoff + si.width - 2)) continue;
      int color = si.color;
      if (si.windows && x > si.xoff + 1 && x < si.xoff + si.width - 2 && y > endy + 1 &&
          y < starty - 1) {
        const int relx = x - (si.xoff + 1);
        const int rely = y - (endy + 1);
        if (relx / 2 % 2 && rely % 2) {
          do {
            color = 1 + rand() % 2;
          } while (color == si.color);
          if (relx % 2) color = canvas.Get(x - 1, y);  // a window's second pixel matches
        }
      }
      canvas.Set(x, y, color);
    }
  }
}

}  // namespace

std::string Schotter(int64_t columns, int64_t squares_per_row, int64_t squares_per_col,
                     const RandomFn& rand, std::string_view version) {
  const int cols = static_cast<int>(Clamp(columns, 1, 1000));
  const int per_row = static_cast<int>(Clamp(squares_per_row, 1, 200));
  const int per_col = static_cast<int>(Clamp(squares_per_col, 1, 200));
  const int canvas_width = cols * 2;
  const int padding = canvas_width > 4 ? 2 : 0;
  const float square_side = static_cast<float>(canvas_width - padding * 2) / per_row;
  const int canvas_height = static_cast<int>(square_side * per_col + padding * 2);
  Canvas canvas(canvas_width, canvas_height, 0);
  constexpr float kRandMaxF = static_cast<float>(kRandMax);
  for (int y = 0; y < per_col; ++y) {
    for (int x = 0; x < per_row; ++x) {
      int sx = static_cast<int>(x * square_side + square_side / 2 + padding);
      int sy = static_cast<int>(y * square_side + square_side / 2 + padding);
      // Lower rows are rotated and moved more and more at random.
      float angle = 0;
      if (y > 1) {
        float r1 = static_cast<float>(rand()) / kRandMaxF / per_col * y;
        float r2 = static_cast<float>(rand()) / kRandMaxF / per_col * y;
        float r3 = static_cast<float>(rand()) / kRandMaxF / per_col * y;
        if (rand() % 2) r1 = -r1;
        if (rand() % 2) r2 = -r2;
        if (rand() % 2) r3 = -r3;
        angle = r1;
        sx = static_cast<int>(sx + r2 * square_side / 3);
        sy = static_cast<int>(sy + r3 * square_side / 3);
      }
      canvas.Square(sx, sy, square_side, angle, 1);
    }
  }
  std::string text = RenderBraille(canvas);
  text.append("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
  text.append(version);
  text.push_back('\n');
  return text;
}

std::string Skyline(int64_t columns, int64_t rows, const RandomFn& rand,
                    std::string_view version) {
  Canvas canvas(static_cast<int>(Clamp(columns, 1, 1000)), static_cast<int>(Clamp(rows, 1, 1000)),
                3);
  const int height = canvas.height();
  Skyscraper si{};
  // Background blocks without windows, the lighter gray first so it stays behind.
  for (int color = 2; color >= 1; --color) {
    si.color = color;
    for (int offset = -10; offset < canvas.width();) {
      offset += rand() % 8;
      si.xoff = offset;
      si.width = 10 + rand() % 9;
      si.height = color == 2 ? height / 2 + rand() % height / 2 : height / 2 + rand() % height / 3;
      si.windows = false;
      DrawSkyscraper(canvas, si, rand);
      offset += color == 2 ? si.width / 2 : si.width + 1;
    }
  }
  // Foreground blocks, black with windows.
  si.color = 0;
  for (int offset = -10; offset < canvas.width();) {
    offset += rand() % 8;
    si.xoff = offset;
    si.width = 5 + rand() % 14;
    if (si.width % 4) si.width += si.width % 3;
    si.height = height / 3 + rand() % height / 2;
    si.windows = true;
    DrawSkyscraper(canvas, si, rand);
    offset += si.width + 5;
  }
  std::string text = RenderGrays(canvas);
  text.append(
      "\nDedicated to the 8 bit game developers of past and present.\n"
      "Original 8 bit image from Plaguemon by hikikomori. Redis ver. ");
  text.append(version);
  text.push_back('\n');
  return text;
}

}  // namespace drayman::lolwut

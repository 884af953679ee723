#include "client/safe_output.h"

#include <cstdio>

#include "common/util/printable.h"

namespace hpsearch::client {

namespace {

// Bytes a UTF-8 sequence starting with `lead` takes (1 for anything else).
std::size_t SequenceLength(unsigned char lead) {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// The start of a sequence cut by the end of `text` at `i`: its lead byte and only
// continuation bytes after it.
bool CutShort(std::string_view text, std::size_t i) {
  const std::size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
  if (n == 1 || i + n <= text.size()) return false;
  for (std::size_t j = i + 1; j < text.size(); ++j)
    if ((static_cast<unsigned char>(text[j]) & 0xC0) != 0x80) return false;
  return true;
}

void AppendJsonEscape(std::string& out, char32_t c) {
  char buf[16];
  if (c < 0x10000) {
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
  } else {  // a surrogate pair
    const char32_t v = c - 0x10000;
    std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)),
                  static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
  }
  out += buf;
}

}  // namespace

SafeOutput::~SafeOutput() {
  Emit("", true);
  target_->pubsync();
}

void SafeOutput::Emit(std::string_view text, bool final) {
  std::string in = std::move(pending_);
  pending_.clear();
  in.append(text);
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    if (!final && CutShort(in, i)) {
      pending_ = in.substr(i);
      break;
    }
    const Utf8Char ch = DecodeUtf8(in, i);
    const std::string_view bytes(in.data() + i, ch.size);
    i += ch.size;
    const bool layout = ch.valid && (ch.code == '\n' || ch.code == '\t');
    if (mode_ == Mode::kJson) {
      if (!ch.valid)
        out += "\\ufffd";  // never from the JSON library, which refuses such bytes
      else if (ch.code == 0x7F || (ch.code >= 0x80 && IsControl(ch.code)) || IsInvisible(ch.code))
        AppendJsonEscape(out, ch.code);
      else
        out.append(bytes);
    } else if (!layout && (!ch.valid || IsControl(ch.code) || IsInvisible(ch.code))) {
      out += Printable(bytes);
    } else {
      out.append(bytes);
    }
  }
  if (!out.empty()) target_->sputn(out.data(), static_cast<std::streamsize>(out.size()));
}

void SafeOutput::WriteRaw(std::string_view sequence) {
  Emit("", true);
  target_->sputn(sequence.data(), static_cast<std::streamsize>(sequence.size()));
}

SafeOutput::int_type SafeOutput::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const char c = traits_type::to_char_type(ch);
  Emit(std::string_view(&c, 1), false);
  return ch;
}

std::streamsize SafeOutput::xsputn(const char* s, std::streamsize n) {
  Emit(std::string_view(s, static_cast<std::size_t>(n)), false);
  return n;
}

int SafeOutput::sync() { return target_->pubsync(); }

void WriteControl(std::ostream& out, std::string_view sequence) {
  if (auto* safe = dynamic_cast<SafeOutput*>(out.rdbuf())) {
    safe->WriteRaw(sequence);
  } else {
    out << sequence;
  }
}

SafeStream::SafeStream(std::ostream& stream, SafeOutput::Mode mode)
    : stream_(stream), original_(stream.rdbuf()), buf_(original_, mode) {
  stream_.rdbuf(&buf_);
}

SafeStream::~SafeStream() {
  stream_.flush();
  stream_.rdbuf(original_);
}

}  // namespace hpsearch::client

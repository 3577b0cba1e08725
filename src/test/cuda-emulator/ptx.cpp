// Reads the PTX text a module is loaded from, as far as cuModuleLoadData's checks need it.
#include "driver.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace tjemu {

namespace {

std::string strip_comments(const char* text) {
    std::string out;
    for (const char* p = text; *p != '\0';) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p != '\0' && *p != '\n') {
                p++;
            }
        } else if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p != '\0' && !(p[0] == '*' && p[1] == '/')) {
                p++;
            }
            if (*p != '\0') {
                p += 2;
            }
            out += ' ';
        } else {
            out += *p++;
        }
    }
    return out;
}

bool is_ident(char c) {
    return isalnum((unsigned char) c) || c == '_' || c == '$' || c == '.' || c == '%';
}

// Tokens: identifiers/directives/numbers, and single punctuation characters.
std::vector<std::string> tokenize(const std::string& s) {
    std::vector<std::string> t;
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        if (isspace((unsigned char) c)) {
            i++;
        } else if (is_ident(c)) {
            size_t j = i;
            while (j < s.size() && is_ident(s[j])) {
                j++;
            }
            t.push_back(s.substr(i, j - i));
            i = j;
        } else {
            t.push_back(std::string(1, c));
            i++;
        }
    }
    return t;
}

// Bytes of a PTX fundamental type (.u32 = 4 ...), 0 if it is not one.
unsigned int ptx_type_size(const std::string& t) {
    static const std::map<std::string, unsigned int>& sizes = *new std::map<std::string, unsigned int>{
        {".b8", 1}, {".u8", 1}, {".s8", 1}, {".b16", 2}, {".u16", 2}, {".s16", 2}, {".f16", 2},
        {".bf16", 2}, {".b32", 4}, {".u32", 4}, {".s32", 4}, {".f32", 4}, {".f16x2", 4}, {".bf16x2", 4},
        {".b64", 8}, {".u64", 8}, {".s64", 8}, {".f64", 8}, {".b128", 16}, {".pred", 1}};
    auto it = sizes.find(t);
    return it == sizes.end() ? 0 : it->second;
}

// A variable declaration's bytes: tokens from the type on, e.g. `.align 8 .b8 name [ 200 ]`.
// Returns false when it cannot tell.
bool decl_bytes(const std::vector<std::string>& tok, size_t from, size_t to, unsigned long long* bytes) {
    unsigned int elem = 0;
    unsigned long long count = 1;
    for (size_t i = from; i < to; i++) {
        const std::string& t = tok[i];
        if (t == ".align") {
            i++; // its number
        } else if (elem == 0 && ptx_type_size(t) != 0) {
            elem = ptx_type_size(t);
        } else if (t == ".v2" || t == ".v4" || t == ".v8") {
            count *= (unsigned long long) atoi(t.c_str() + 2);
        } else if (t == "[" && i + 2 < to && tok[i + 2] == "]") {
            count *= strtoull(tok[i + 1].c_str(), nullptr, 0);
            i += 2;
        } else if (t == "[" && i + 1 < to && tok[i + 1] == "]") {
            count *= 0; // extern dynamic shared memory: sized at launch
            i += 1;
        }
    }
    if (elem == 0) {
        return false;
    }
    *bytes = elem * count;
    return true;
}

} // namespace

std::string parse_ptx(const char* text, PtxModule* m) {
    std::vector<std::string> tok = tokenize(strip_comments(text));
    unsigned long long moduleShared = 0;
    int depth = 0;
    PtxEntry* cur = nullptr;
    for (size_t i = 0; i < tok.size(); i++) {
        const std::string& t = tok[i];
        if (t == "{") {
            depth++;
        } else if (t == "}") {
            depth--;
            if (depth == 0) {
                cur = nullptr;
            }
        } else if (depth == 0 && t == ".version" && i + 1 < tok.size()) {
            int major = 0, minor = 0;
            if (sscanf(tok[i + 1].c_str(), "%d.%d", &major, &minor) != 2) {
                return "cannot read the .version directive";
            }
            m->isa = major * 10 + minor;
        } else if (depth == 0 && t == ".target" && i + 1 < tok.size()) {
            m->targetName = tok[i + 1];
            if (sscanf(tok[i + 1].c_str(), "sm_%d", &m->target) != 1) {
                return "cannot read the .target directive '" + tok[i + 1] + "'";
            }
        } else if (depth == 0 && t == ".entry" && i + 1 < tok.size()) {
            m->entries.push_back(PtxEntry{tok[i + 1], {}, 0});
            cur = &m->entries.back();
            size_t j = i + 2;
            if (j < tok.size() && tok[j] == "(") {
                size_t start = j + 1;
                for (j = start; j < tok.size() && tok[j] != ")"; j++) {
                    if (tok[j] == ",") {
                        continue;
                    }
                    if (tok[j] == ".param") {
                        size_t end = j + 1;
                        while (end < tok.size() && tok[end] != "," && tok[end] != ")") {
                            end++;
                        }
                        unsigned long long b = 0;
                        if (!decl_bytes(tok, j + 1, end, &b)) {
                            return "cannot read a .param of entry " + cur->name;
                        }
                        cur->paramSizes.push_back(b);
                        j = end - 1;
                    }
                }
                i = j;
            } else {
                i = j - 1;
            }
        } else if (t == ".shared" && (depth == 0 || cur != nullptr)) {
            // A declaration (`.shared .align 4 .b8 name[N];`), not an instruction's state space
            // (`ld.shared.f32` is one token, so it never matches).
            size_t end = i + 1;
            while (end < tok.size() && tok[end] != ";") {
                end++;
            }
            unsigned long long b = 0;
            if (decl_bytes(tok, i + 1, end, &b)) {
                if (depth == 0) {
                    moduleShared += b;
                } else {
                    cur->shared += b;
                }
            }
            i = end;
        }
    }
    for (PtxEntry& e : m->entries) {
        e.shared += moduleShared;
    }
    if (m->isa == 0) {
        return "no .version directive";
    }
    if (m->target == 0) {
        return "no .target directive";
    }
    return "";
}

} // namespace tjemu

#ifndef AGENTCORE_GITOPS_CLIBCRYPTO_H
#define AGENTCORE_GITOPS_CLIBCRYPTO_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#endif
